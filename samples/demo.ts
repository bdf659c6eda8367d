// The main job behind `npm start`: connects real WebSocket clients, drives every kind of
// service operation through the SDK, and records what each client received.
import WebSocket from "ws";
import { decodeServiceFrame, encodeFrame, JSON_SUBPROTOCOL } from "../src/core/index.js";
import { odata, WebPubSubServiceClient } from "../src/index.js";

/** One WebSocket client of the demo and what it received, in order. */
export interface DemoClient {
  name: string;
  protocol: "plain" | "json";
  socket: WebSocket;
  connectionId?: string;
  received: string[];
}

/** Renders one frame the way a person would want to read it. */
function describeFrame(data: WebSocket.RawData, isBinary: boolean, protocol: DemoClient["protocol"]): string | undefined {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (protocol === "plain") return isBinary ? `binary[${buf.length}] ${buf.toString("hex")}` : buf.toString("utf8");
  const decoded = decodeServiceFrame(buf.toString("utf8"));
  if (!decoded.ok) return `undecodable frame (${decoded.error.reason})`;
  const msg = decoded.frame;
  switch (msg.type) {
    case "system":
      if (msg.event === "connected") return undefined;
      return `system/${msg.event}${msg.message ? ` "${msg.message}"` : ""}`;
    case "ack":
      return `ack ${msg.ackId} ${msg.success ? "ok" : JSON.stringify(msg.error)}`;
    case "message":
      return `${msg.from === "group" ? `group:${msg.group}` : "server"} ${msg.dataType} ${JSON.stringify(msg.data)}`;
    default:
      return msg.type;
  }
}

async function connect(client: WebPubSubServiceClient, name: string, protocol: DemoClient["protocol"], userId?: string): Promise<DemoClient> {
  const { url } = await client.getClientAccessToken(userId === undefined ? {} : { userId });
  const socket = protocol === "json" ? new WebSocket(url, JSON_SUBPROTOCOL) : new WebSocket(url);
  const demo: DemoClient = { name, protocol, socket, received: [] };
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data, isBinary) => {
      if (protocol === "json") {
        const decoded = decodeServiceFrame(data.toString());
        if (decoded.ok && decoded.frame.type === "system" && decoded.frame.event === "connected") {
          demo.connectionId = decoded.frame.connectionId;
          resolve();
          return;
        }
      }
      const text = describeFrame(data, isBinary, protocol);
      if (text !== undefined) demo.received.push(text);
    });
    if (protocol === "plain") socket.once("open", () => resolve());
    socket.once("close", (code, reason) => demo.received.push(`closed ${code}${reason.length ? ` "${reason.toString()}"` : ""}`));
  });
  await ready;
  return demo;
}

/** Lets in-flight frames land before the next step reads them. */
const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));


/** One SDK call of the demo and what it returned. */
export interface DemoCall {
  label: string;
  result: string;
}

/** What the demo did: the SDK calls in order and each client's inbox. */
export interface DemoReport {
  calls: DemoCall[];
  clients: Pick<DemoClient, "name" | "protocol" | "received">[];
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** True when the hub has an event handler (samples/eventHandler.ts): alice then sends it an event. */
  upstream?: boolean;
}

/** Runs the demo against the service or emulator behind `connectionString`. */
export async function runDemo(connectionString: string, hub: string, options: DemoOptions = {}): Promise<DemoReport> {
  const client = WebPubSubServiceClient.fromConnectionString(connectionString, hub);
  const calls: DemoCall[] = [];
  const call = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const result = await fn();
    await settle();
    calls.push({ label, result: result === undefined ? "ok" : JSON.stringify(result) });
    return result;
  };
  const alice = await connect(client, "alice", "json", "alice");
  const bob = await connect(client, "bob", "json", "bob");
  const carol = await connect(client, "carol", "plain", "carol");
  const dave = await connect(client, "dave", "json");
  const clients = [alice, bob, carol, dave];

  try {
    await call("sendToAll('Hello, everyone')", () => client.sendToAll("Hello, everyone"));
    await call("sendToUser('alice', {greeting})", () => client.sendToUser("alice", { greeting: "hi alice" }));
    await call("sendToConnection(dave, 'just you')", () => client.sendToConnection(dave.connectionId!, "just you"));
    await call("addUserToGroup('room', 'bob')", () => client.addUserToGroup("room", "bob"));
    await call("addConnectionToGroup('room', alice)", () => client.addConnectionToGroup("room", alice.connectionId!));
    await call("addConnectionsToGroups(['room'], userId eq 'carol')", () =>
      client.addConnectionsToGroups(["room"], odata`userId eq ${"carol"}`),
    );
    await call("sendToGroup('room', bytes 01 02 03)", () => client.sendToGroup("room", new Uint8Array([1, 2, 3])));
    await call("sendToAll(filter: 'room' in groups and userId ne 'bob')", () =>
      client.sendToAll("room, but not bob", { filter: odata`${"room"} in groups and userId ne ${"bob"}` }),
    );
    await call("sendToAll(excluded: alice)", () =>
      client.sendToAll({ note: "not for alice" }, { excludedConnections: [alice.connectionId!] }),
    );
    await call("groupExists('room')", () => client.groupExists("room"));
    await call("userExists('nobody')", () => client.userExists("nobody"));
    await call("connectionExists(bob)", () => client.connectionExists(bob.connectionId!));
    const members: string[] = [];
    await call("listConnectionsInGroup('room')", async () => {
      for await (const m of client.listConnectionsInGroup("room", { maxPageSize: 2 })) members.push(m.userId ?? "(anonymous)");
      return members.sort();
    });
    await call("checkPermission(dave, sendToGroup, room)", () =>
      client.checkPermission(dave.connectionId!, "sendToGroup", { targetName: "room" }),
    );
    await call("grantPermission(dave, sendToGroup, room)", () =>
      client.grantPermission(dave.connectionId!, "sendToGroup", { targetName: "room" }),
    );
    await call("dave sends to 'room' over json.webpubsub.azure.v1", async () => {
      dave.socket.send(encodeFrame({ type: "sendToGroup", group: "room", ackId: 1, dataType: "text", data: "dave was here" }));
      return "frame sent";
    });
    await call("checkPermission(dave, sendToGroup, room)", () =>
      client.checkPermission(dave.connectionId!, "sendToGroup", { targetName: "room" }),
    );
    if (options.upstream) {
      // The upstream path: the service POSTs the event to the handler, the handler's reply goes back to alice.
      await call("alice sends event 'hello' to the event handler", async () => {
        alice.socket.send(JSON.stringify({ type: "event", event: "hello", ackId: 2, dataType: "json", data: { text: "hi" } }));
        return "frame sent";
      });
    }
    await call("removeUserFromGroup('room', 'bob')", () => client.removeUserFromGroup("room", "bob"));
    await call("sendToGroup('room', 'bob left')", () => client.sendToGroup("room", "bob left"));
    await call("closeUserConnections('carol', reason)", () => client.closeUserConnections("carol", { reason: "demo over" }));
    await call("closeAllConnections(reason)", () => client.closeAllConnections({ reason: "goodbye" }));
  } finally {
    for (const c of clients) c.socket.terminate();
    await client.close();
  }
  return { calls, clients: clients.map(({ name, protocol, received }) => ({ name, protocol, received })) };
}

