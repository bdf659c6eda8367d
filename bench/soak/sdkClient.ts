// The project's own client SDK (src/client) as a soak client. Kills and black-holes act on the
// `ws` socket the SDK opens through its `webSocket` factory option; recovery is the SDK's own.
import WebSocket from "ws";
import { WebPubSubClient, type WebSocketLike } from "../../src/client/index.js";
import type { SoakClient, SoakClientFactory, SoakClientOptions } from "./clientAdapter.js";

/** The SDK's WebPubSubClient (json.reliable.webpubsub.azure.v1, its defaults otherwise), as a factory. */
export const sdkClientFactory: SoakClientFactory = {
  name: "webpubsub-service client SDK (WebPubSubClient, reliable protocol)",
  create: (options) => new SdkSoakClient(options),
};

class SdkSoakClient implements SoakClient {
  recoveries = 0;
  failedRecoveries = 0;
  sequenceGaps = 0;
  longestRecoveryMs = 0;
  readonly lossReasons: string[] = [];
  private socket: WebSocket | undefined;
  private state: "idle" | "open" | "down" | "blackhole" | "stopped" = "idle";
  private blackholeTimer: NodeJS.Timeout | undefined;
  private readonly client: WebPubSubClient;

  constructor(private readonly options: SoakClientOptions) {
    this.client = new WebPubSubClient(
      { getClientAccessUrl: async () => options.accessUrl() },
      {
        webSocket: (url: string, protocol: string) => {
          const ws = new WebSocket(url, protocol, { perMessageDeflate: false });
          this.socket = ws;
          // A fresh connection after the first one means the session (and its buffer) was lost.
          if (this.state !== "idle" && !url.includes("awps_connection_id=")) {
            this.failedRecoveries++;
            this.lossReasons.push("the SDK opened a fresh connection: the session was lost");
          }
          return ws as unknown as WebSocketLike;
        },
      },
    );
    this.client.on("group-message", (e) => options.onMessage(e.message.group, e.message.data));
    this.client.on("recovering", () => {
      this.state = "down";
    });
    this.client.on("recovered", (e) => {
      this.recoveries++;
      this.longestRecoveryMs = Math.max(this.longestRecoveryMs, e.elapsedMs);
      this.state = "open";
    });
    this.client.on("connected", () => {
      if (this.state !== "stopped") this.state = "open";
    });
  }

  get healthy(): boolean {
    return this.state === "open";
  }

  async start(): Promise<void> {
    await this.client.start();
    this.state = "open";
    await Promise.all(this.options.groups.map((g) => this.client.joinGroup(g)));
  }

  kill(): void {
    if (this.state !== "open") return;
    this.state = "down";
    this.socket?.terminate();
  }

  blackhole(ms: number): void {
    if (this.state !== "open" || !this.socket) return;
    this.state = "blackhole";
    const socket = this.socket;
    (socket as unknown as { _socket?: { pause(): void } })._socket?.pause();
    this.blackholeTimer = setTimeout(() => {
      if (this.state === "blackhole") this.state = "down";
      socket.terminate();
    }, ms);
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.blackholeTimer);
    await this.client.stop();
  }
}
