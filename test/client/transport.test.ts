// The Node transport: `ws` with a tick's frames written together, sequence acks at once.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { BatchingWebSocket } from "../../src/client/transport.js";
import { withRealSockets } from "../emulator/helpers.js";

describe("client Node transport", () => {
  let server: WebSocketServer;
  let client: BatchingWebSocket;
  let peer: ServerSocket;
  const received: string[] = [];

  beforeEach(async () => {
    received.length = 0;
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => server.once("listening", r));
    const connected = new Promise<ServerSocket>((r) => server.once("connection", r));
    // The socket itself, not nock's wrapper (active once any suite imports nock): corking is its business.
    client = withRealSockets(() => new BatchingWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`));
    await new Promise((r) => client.once("open", r));
    peer = await connected;
    peer.on("message", (data) => received.push(String(data)));
  });

  afterEach(async () => {
    client.terminate();
    await new Promise((r) => server.close(r));
  });

  const corked = () => (client as unknown as { _socket: { writableCorked: number } })._socket.writableCorked;

  it("holds the frames of one tick in the socket and writes them, in order, at its end", async () => {
    client.send("a");
    client.send("b");
    assert.equal(corked(), 1, "held until the tick ends");
    await new Promise((r) => process.nextTick(r));
    assert.equal(corked(), 0);
    while (received.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(received, ["a", "b"]);
  });

  it("writes a sequenceAck at once, after what was held before it", async () => {
    client.send("a");
    client.send('{"type":"sequenceAck","sequenceId":100}');
    assert.equal(corked(), 0, "nothing waits for the end of the tick");
    client.send("c");
    await new Promise((r) => process.nextTick(r));
    while (received.length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(received, ["a", '{"type":"sequenceAck","sequenceId":100}', "c"]);
  });
});
