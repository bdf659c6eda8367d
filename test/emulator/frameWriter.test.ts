import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { FrameWriter } from "../../src/emulator/ws/frameWriter.js";
import { withRealSockets } from "./helpers.js";

interface Pair {
  server: WebSocket;
  client: WebSocket;
  /** Every frame the client received, in order, as [text or bytes, isBinary]. */
  received: [string | Buffer, boolean][];
  /** Resolves with the close code the client saw. */
  closed: Promise<number>;
  /** Socket writes the server side made. */
  writes: () => number;
  stop(): Promise<void>;
}

async function pair(): Promise<Pair> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await new Promise((resolve) => wss.once("listening", resolve));
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = withRealSockets(() => new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false }));
  const received: [string | Buffer, boolean][] = [];
  client.on("message", (data, isBinary) => received.push([isBinary ? (data as Buffer) : data.toString(), isBinary]));
  const closed = new Promise<number>((resolve) => client.once("close", resolve));
  await new Promise((resolve, reject) => client.once("open", resolve).once("error", reject));
  const server = await accepted;
  const socket = (server as unknown as { _socket: { _writeGeneric: (...args: unknown[]) => unknown; _writev: unknown } })._socket;
  let writes = 0;
  // Count what reaches the stream's implementation: one call per write or writev.
  const generic = socket._writeGeneric;
  socket._writeGeneric = function (this: unknown, ...args: unknown[]) {
    writes++;
    return generic.apply(this, args);
  };
  return {
    server,
    client,
    received,
    closed,
    writes: () => writes,
    stop: async () => {
      client.terminate();
      server.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), "timed out");
};

describe("emulator FrameWriter", () => {
  it("frames text and binary of every header size; one tick's small frames leave in one write", async () => {
    const p = await pair();
    try {
      const writer = new FrameWriter(p.server);
      const sizes = [0, 1, 125, 126, 127, 65535, 65536, 70_000, 200_000];
      const expected: [string | Buffer, boolean][] = [];
      for (const size of sizes) {
        const text = "é".repeat(size >> 1) + "x".repeat(size & 1); // `size` UTF-8 bytes
        const bytes = Buffer.alloc(size, size & 0xff);
        writer.send(text);
        writer.send(bytes);
        expected.push([text, false], [bytes, true]);
      }
      await until(() => p.received.length === expected.length);
      assert.deepEqual(p.received, expected);

      const before = p.writes();
      for (let i = 0; i < 50; i++) writer.send(`{"type":"ack","ackId":${i},"success":true}`);
      await until(() => p.received.length === expected.length + 50);
      assert.equal(p.writes() - before, 1, "fifty small frames of one tick took one write");
      assert.equal(p.received.at(-1)![0], '{"type":"ack","ackId":49,"success":true}');
    } finally {
      await p.stop();
    }
  });

  it("lets no frame of ws's own overtake the frames queued before it", async () => {
    const p = await pair();
    try {
      const writer = new FrameWriter(p.server);
      writer.send("first");
      writer.send("second");
      // ws writes its close frame straight away; the two frames must still come first.
      p.server.close(4000, "bye");
      assert.equal(await p.closed, 4000);
      assert.deepEqual(p.received.map(([data]) => data), ["first", "second"]);
    } finally {
      await p.stop();
    }
  });

  it("drops what is queued when the socket is destroyed in the same tick, as ws.send after terminate would", async () => {
    const p = await pair();
    try {
      const writer = new FrameWriter(p.server);
      writer.send("lost");
      assert.equal(writer.pendingBytes, 4);
      p.server.terminate();
      await p.closed;
      assert.deepEqual(p.received, []);
      assert.equal(writer.pendingBytes, 0);
    } finally {
      await p.stop();
    }
  });
});
