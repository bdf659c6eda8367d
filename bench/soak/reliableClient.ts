// A minimal json.reliable.webpubsub.azure.v1 client written for the soak: joins groups with
// acked requests, de-duplicates by sequenceId, acks every ACK_EVERY messages or ACK_INTERVAL_MS,
// and recovers a dropped socket with awps_connection_id + awps_reconnection_token (docs/protocol.md#recovery).
import WebSocket from "ws";
import type { SoakClient, SoakClientFactory, SoakClientOptions } from "./clientAdapter.js";

const RELIABLE_PROTOCOL = "json.reliable.webpubsub.azure.v1";
// Acks well before the service's 1,000-unacked-message limit.
const ACK_EVERY = 50;
const ACK_INTERVAL_MS = 100;
const JOIN_TIMEOUT_MS = 15_000;
// Recovery attempts that fail to connect at all (not a refusal) before the session is given up.
const MAX_RECOVERY_ATTEMPTS = 50;
const RECOVERY_RETRY_MS = 100;
// No handshake timeout: an abandoned recovery request still queued at the emulator is attached
// later and takes the session from the client's newer socket (see README "Reliability").

interface Frame {
  type?: string;
  event?: string;
  ackId?: number;
  success?: boolean;
  group?: string;
  data?: unknown;
  sequenceId?: number;
  connectionId?: string;
  reconnectionToken?: string;
  error?: { name?: string; message?: string };
}

/** The soak's own client, as a factory. */
export const reliableClientFactory: SoakClientFactory = {
  name: "soak reliable client (ws + json.reliable.webpubsub.azure.v1)",
  create: (options) => new ReliableSoakClient(options),
};

class ReliableSoakClient implements SoakClient {
  recoveries = 0;
  sessionsLost = 0;
  sequenceGaps = 0;
  readonly lossReasons: string[] = [];
  longestRecoveryMs = 0;
  private droppedAt = 0;
  private ws: WebSocket | undefined;
  private connectionId = "";
  private reconnectionToken = "";
  private lastSeq = 0;
  private ackedSeq = 0;
  private nextAckId = 1;
  private readonly pendingAcks = new Map<number, (frame: Frame) => void>();
  private ackTimer: NodeJS.Timeout | undefined;
  private blackholeTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private recoveryAttempts = 0;
  private state: "idle" | "open" | "down" | "blackhole" | "lost" | "stopped" = "idle";

  constructor(private readonly options: SoakClientOptions) {}

  get healthy(): boolean {
    return this.state === "open";
  }

  get failedRecoveries(): number {
    return this.sessionsLost;
  }

  async start(): Promise<void> {
    const url = this.options.accessUrl();
    const connected = new Promise<void>((resolve, reject) => {
      const ws = this.open(url, false);
      const onConnected = (data: WebSocket.RawData): void => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === "system" && frame.event === "connected") {
          ws.off("message", onConnected);
          resolve();
        }
      };
      ws.on("message", onConnected);
      ws.once("close", (code) => reject(new Error(`the connection closed with ${code} before it was connected`)));
      ws.once("error", reject);
    });
    await connected;
    this.ackTimer = setInterval(() => this.flushAck(), ACK_INTERVAL_MS);
    this.ackTimer.unref();
    await Promise.all(this.options.groups.map((group) => this.request({ type: "joinGroup", group })));
  }

  kill(): void {
    if (this.state !== "open") return;
    this.dropAndRecover();
  }

  blackhole(ms: number): void {
    if (this.state !== "open" || !this.ws) return;
    this.state = "blackhole";
    // Stop reading: the emulator keeps writing into TCP buffers that will never be read.
    (this.ws as unknown as { _socket?: { pause(): void } })._socket?.pause();
    this.blackholeTimer = setTimeout(() => this.dropAndRecover(), ms);
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearInterval(this.ackTimer);
    clearTimeout(this.blackholeTimer);
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once("close", () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    });
  }

  private open(url: string, recovering: boolean): WebSocket {
    const ws = new WebSocket(url, RELIABLE_PROTOCOL, { perMessageDeflate: false });
    this.ws = ws;
    ws.on("message", (data) => this.onFrame(ws, data));
    ws.on("error", () => undefined);
    ws.on("open", () => {
      if (this.ws !== ws || this.state === "stopped") return;
      this.state = "open";
      if (recovering) {
        this.recoveries++;
        this.longestRecoveryMs = Math.max(this.longestRecoveryMs, Date.now() - this.droppedAt);
        // Tell the service at once what arrived, so its replay can start past it.
        this.ackedSeq = 0;
        this.flushAck();
      }
    });
    ws.on("close", (code, reason) => this.onClose(ws, code, reason, recovering));
    return ws;
  }

  private onFrame(ws: WebSocket, data: WebSocket.RawData): void {
    if (this.ws !== ws || this.state === "blackhole") return;
    const frame = JSON.parse(data.toString()) as Frame;
    switch (frame.type) {
      case "message": {
        const seq = frame.sequenceId;
        if (typeof seq === "number") {
          if (seq <= this.lastSeq) return; // a replay of something already handed up
          if (seq !== this.lastSeq + 1) this.sequenceGaps++;
          this.lastSeq = seq;
        }
        this.options.onMessage(frame.group ?? "", frame.data);
        if (this.lastSeq - this.ackedSeq >= ACK_EVERY) this.flushAck();
        return;
      }
      case "ack": {
        const done = frame.ackId === undefined ? undefined : this.pendingAcks.get(frame.ackId);
        if (done) {
          this.pendingAcks.delete(frame.ackId!);
          done(frame);
        }
        return;
      }
      case "system":
        if (frame.event === "connected") {
          if (frame.connectionId) this.connectionId = frame.connectionId;
          if (frame.reconnectionToken) this.reconnectionToken = frame.reconnectionToken;
        }
        return;
      default:
        return;
    }
  }

  private onClose(ws: WebSocket, code: number, reason: Buffer, recovering: boolean): void {
    if (this.ws !== ws || this.state === "idle" || this.state === "stopped" || this.state === "lost") return;
    const wasOpen = this.state === "open";
    if (recovering && code === 1008) {
      // A refused recovery opens the socket, then closes it with 1008 (docs/protocol.md#recovery): not a recovery.
      if (wasOpen) this.recoveries--;
      return this.loseSession(`recovery refused: ${code} ${reason.toString()}`);
    }
    // The service ended the session itself (a close frame: REST close, too many unacked, …).
    if (wasOpen && code !== 1006) return this.loseSession(`closed by the service: ${code} ${reason.toString()}`);
    // A dropped socket, or a recovery that could not connect: try again while the session lives.
    this.state = "down";
    if (wasOpen) {
      this.recoveryAttempts = 0;
      this.droppedAt = Date.now();
    }
    this.retryTimer = setTimeout(() => this.recover(), wasOpen ? 0 : RECOVERY_RETRY_MS);
  }

  private dropAndRecover(): void {
    clearTimeout(this.blackholeTimer);
    clearTimeout(this.retryTimer);
    this.droppedAt = Date.now();
    const old = this.ws;
    this.ws = undefined;
    old?.terminate();
    this.recoveryAttempts = 0;
    this.recover();
  }

  private recover(): void {
    this.state = "down";
    if (++this.recoveryAttempts > MAX_RECOVERY_ATTEMPTS) return this.loseSession(`no recovery after ${MAX_RECOVERY_ATTEMPTS} attempts`);
    const url = new URL(this.options.accessUrl());
    url.search = "";
    url.searchParams.set("awps_connection_id", this.connectionId);
    url.searchParams.set("awps_reconnection_token", this.reconnectionToken);
    this.open(url.toString(), true);
  }

  private loseSession(reason: string): void {
    this.state = "lost";
    this.sessionsLost++;
    this.lossReasons.push(reason);
    for (const done of this.pendingAcks.values()) done({ success: false });
    this.pendingAcks.clear();
  }

  private flushAck(): void {
    if (this.state !== "open" || !this.ws || this.lastSeq <= this.ackedSeq) return;
    this.ackedSeq = this.lastSeq;
    this.ws.send(JSON.stringify({ type: "sequenceAck", sequenceId: this.lastSeq }));
  }

  private request(body: Record<string, unknown>): Promise<void> {
    const ackId = this.nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(ackId);
        reject(new Error(`${String(body["type"])} got no ack within ${JOIN_TIMEOUT_MS} ms`));
      }, JOIN_TIMEOUT_MS);
      this.pendingAcks.set(ackId, (frame) => {
        clearTimeout(timer);
        if (frame.success) resolve();
        else reject(new Error(`${String(body["type"])} failed: ${frame.error?.name ?? "no answer"}`));
      });
      this.ws!.send(JSON.stringify({ ...body, ackId }));
    });
  }
}
