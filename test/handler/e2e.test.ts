// End to end: the embedded emulator, configured with the handler's loopback URL, delivers
// connect, connected, user events and disconnected to a handler served by node:http, by
// Express and by a Fetch server. Signatures are verified with the emulator's key.
import assert from "node:assert/strict";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import WebSocket from "ws";
import { DEFAULT_ACCESS_KEY, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { WebPubSubEventHandler, type ConnectedRequest, type DisconnectedRequest, type WebPubSubEventHandlerOptions } from "../../src/handler/index.js";
import { WebPubSubClient } from "../../src/client/index.js";
import { WebPubSubServiceClient } from "../../src/index.js";
import { fetchListener } from "./fetchServer.js";

const HUB = "chat";
const JSON_PROTOCOL = "json.webpubsub.azure.v1";
const RELIABLE_PROTOCOL = "json.reliable.webpubsub.azure.v1";

/** What the handler saw, for assertions. */
interface Seen {
  connected: ConnectedRequest[];
  disconnected: DisconnectedRequest[];
}

/** The application under test: a chat handler steered by the client's query string. */
function appHandler(seen: Seen, extra: WebPubSubEventHandlerOptions = {}): WebPubSubEventHandler {
  return new WebPubSubEventHandler(HUB, {
    path: "/eventhandler/{event}",
    accessKeys: [DEFAULT_ACCESS_KEY],
    handleConnect(req, res) {
      const name = req.queries?.["name"]?.[0];
      if (!name) return res.fail(401, "a name is required");
      res.setState("name", name);
      // The subprotocol must be one the client offered: "reliable" asks for the reliable one.
      const offered = req.subprotocols ?? [];
      const subprotocol = name === "reliable" && offered.includes(RELIABLE_PROTOCOL) ? RELIABLE_PROTOCOL : offered.includes(JSON_PROTOCOL) ? JSON_PROTOCOL : undefined;
      res.success({ userId: `user-${name}`, groups: ["room"], roles: ["webpubsub.sendToGroup.room"], ...(subprotocol ? { subprotocol } : {}) });
    },
    onConnected: (req) => void seen.connected.push(req),
    onDisconnected: (req) => void seen.disconnected.push(req),
    handleUserEvent(req, res) {
      // 400, not 500: the service retries 5xx answers.
      if (req.context.eventName === "fail") return res.fail(400, "asked to fail");
      const count = req.context.states["count"] as number | undefined;
      res.setState("count", (count ?? 0) + 1);
      res.success({ echo: req.data, dataType: req.dataType, from: req.context.states["name"], count }, "json");
    },
    onLog: () => {},
    ...extra,
  });
}

/** A JSON-protocol client that records every frame. */
class Client {
  readonly frames: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(url: string, protocols: string[]): Promise<Client> {
    const socket = new WebSocket(url, protocols);
    const client = new Client(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      socket.once("error", reject);
    });
    return client;
  }

  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  async next(match: (f: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const servers: Record<string, (handler: WebPubSubEventHandler) => RequestListener> = {
  "node:http": (handler) => handler.getRequestListener(),
  Express: (handler) => {
    const app = express();
    app.use(express.json()); // the handler must cope with a parser before it
    app.use(handler.getMiddleware());
    return app;
  },
  "a Fetch server": (handler) => fetchListener(handler.handle),
};

for (const [serverName, listenerOf] of Object.entries(servers)) {
  describe(`handler end to end on ${serverName}, events from the emulator`, function () {
    this.timeout(30_000);
    let server: Server;
    let emulator: Emulator;
    let service: WebPubSubServiceClient;
    const seen: Seen = { connected: [], disconnected: [] };
    const clients: Client[] = [];

    before(async () => {
      server = createServer(listenerOf(appHandler(seen)));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      emulator = await startEmulator({
        port: 0,
        hubs: { [HUB]: { eventHandlers: [{ urlTemplate: `${base}/eventhandler/{event}`, userEventPattern: "*", systemEvents: ["connect", "connected", "disconnected"] }] } },
      });
      service = WebPubSubServiceClient.fromConnectionString(emulator.connectionString, HUB);
    });

    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await service.close();
      await emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const open = async (query: string, protocols = [JSON_PROTOCOL]) => {
      const { url } = await service.getClientAccessToken();
      const client = await Client.open(`${url}&${query}`, protocols);
      clients.push(client);
      return client;
    };

    it("accepts connect with the userId, groups, roles and subprotocol the handler chose", async () => {
      const client = await open("name=alice");
      const connected = await client.next((f) => f["event"] === "connected");
      assert.equal(connected["userId"], "user-alice");
      const info = emulator.connections(HUB).find((c) => c.connectionId === connected["connectionId"])!;
      assert.deepEqual(info.groups, ["room"]);
      assert.equal(client.socket.protocol, JSON_PROTOCOL);
      // The role allows sending to "room" and nothing else.
      client.send({ type: "sendToGroup", group: "room", dataType: "text", data: "hi", ackId: 1 });
      client.send({ type: "sendToGroup", group: "other", dataType: "text", data: "hi", ackId: 2 });
      assert.equal((await client.next((f) => f["ackId"] === 1))["success"], true);
      const refused = await client.next((f) => f["ackId"] === 2);
      assert.equal(refused["success"], false);
      assert.equal((refused["error"] as { name: string }).name, "Forbidden");
    });

    it("lets the handler pick another offered subprotocol", async () => {
      const client = await open("name=reliable", [JSON_PROTOCOL, RELIABLE_PROTOCOL]);
      assert.equal(client.socket.protocol, RELIABLE_PROTOCOL);
    });

    it("refuses the connection when the handler fails connect with 401", async () => {
      await assert.rejects(open("noname=1"), /upgrade refused with 401/);
    });

    it("delivers connected with the context after the handshake", async () => {
      const client = await open("name=bob");
      const connected = await client.next((f) => f["event"] === "connected");
      await until(() => seen.connected.some((r) => r.context.connectionId === connected["connectionId"]), "onConnected");
      const request = seen.connected.find((r) => r.context.connectionId === connected["connectionId"])!;
      assert.equal(request.context.userId, "user-bob");
      assert.equal(request.context.states["name"], "bob");
      assert.equal(request.context.hub.toLowerCase(), HUB);
      assert.match(request.context.signature, /^sha256=[0-9a-f]{64}$/);
    });

    it("answers user events; the reply and the state it keeps reach the client", async () => {
      const client = await open("name=carol");
      await client.next((f) => f["event"] === "connected");
      client.send({ type: "event", event: "echo", dataType: "json", data: { n: 1 }, ackId: 10 });
      const first = await client.next((f) => f["from"] === "server");
      assert.deepEqual(first, { type: "message", from: "server", dataType: "json", data: { echo: { n: 1 }, dataType: "json", from: "carol" } });
      client.send({ type: "event", event: "echo", dataType: "text", data: "again", ackId: 11 });
      const second = await client.next((f) => f["from"] === "server" && f !== first);
      assert.deepEqual(second["data"], { echo: "again", dataType: "text", from: "carol", count: 1 });
      assert.equal((await client.next((f) => f["ackId"] === 11))["success"], true);
    });

    it("answers invokeEvent from the client SDK with the handler's reply", async () => {
      const { url } = await service.getClientAccessToken();
      const client = new WebPubSubClient(`${url}&name=frank`);
      await client.start();
      try {
        const result = await client.invokeEvent("echo", { q: "ping" }, "json");
        assert.equal(result.dataType, "json");
        assert.deepEqual(result.data, { echo: { q: "ping" }, dataType: "json", from: "frank" });
      } finally {
        await client.stop();
      }
    });

    it("turns a failed user event into an error ack", async () => {
      const client = await open("name=dave");
      await client.next((f) => f["event"] === "connected");
      client.send({ type: "event", event: "fail", dataType: "text", data: "x", ackId: 20 });
      const ack = await client.next((f) => f["ackId"] === 20);
      assert.equal(ack["success"], false);
      assert.equal((ack["error"] as { name: string }).name, "InternalServerError");
    });

    it("delivers disconnected with the reason of a REST close", async () => {
      const client = await open("name=erin");
      const connected = await client.next((f) => f["event"] === "connected");
      const id = connected["connectionId"] as string;
      await service.closeConnection(id, { reason: "bye erin" });
      await until(() => seen.disconnected.some((r) => r.context.connectionId === id), "onDisconnected");
      assert.equal(seen.disconnected.find((r) => r.context.connectionId === id)!.reason, "bye erin");
    });
  });
}

describe("handler end to end: signatures from the emulator", function () {
  this.timeout(30_000);

  async function withHandler(options: Partial<WebPubSubEventHandlerOptions>, run: (open: () => Promise<Client>, calls: string[]) => Promise<void>) {
    const calls: string[] = [];
    const handler = new WebPubSubEventHandler(HUB, {
      path: "/eventhandler/{event}",
      handleConnect: (req, res) => (calls.push(req.context.connectionId), res.success({ userId: "u" })),
      onLog: () => {},
      ...options,
    } as WebPubSubEventHandlerOptions);
    const server = createServer(handler.getRequestListener());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const emulator = await startEmulator({ port: 0, hubs: { [HUB]: { eventHandlers: [{ urlTemplate: `${base}/eventhandler/{event}`, systemEvents: ["connect"] }] } } });
    const service = WebPubSubServiceClient.fromConnectionString(emulator.connectionString, HUB);
    const opened: Client[] = [];
    try {
      await run(async () => {
        const c = await Client.open((await service.getClientAccessToken()).url, [JSON_PROTOCOL]);
        opened.push(c);
        return c;
      }, calls);
    } finally {
      await Promise.all(opened.map((c) => c.close()));
      await service.close();
      await emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it("refuses events signed with a key the handler does not hold: the client is refused with 401", async () => {
    await withHandler({ accessKeys: ["not-the-emulator-key-not-the-emulator-key"] }, async (open, calls) => {
      await assert.rejects(open(), /upgrade refused with 401/);
      assert.deepEqual(calls, []);
    });
  });

  it("accepts the emulator's key as the second key during rotation", async () => {
    await withHandler({ accessKeys: ["the-new-key-the-new-key-the-new-key-000", DEFAULT_ACCESS_KEY] }, async (open, calls) => {
      const client = await open();
      assert.equal((await client.next((f) => f["event"] === "connected"))["userId"], "u");
      assert.equal(calls.length, 1);
    });
  });

  it("accepts the key from the emulator's connection string", async () => {
    await withHandler({ connectionString: `Endpoint=http://localhost;AccessKey=${DEFAULT_ACCESS_KEY};Version=1.0;` }, async (open) => {
      const client = await open();
      assert.equal((await client.next((f) => f["event"] === "connected"))["userId"], "u");
    });
  });
});
