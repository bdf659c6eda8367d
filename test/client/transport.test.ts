// The Node transport: `ws` with a tick's frames built here and written together, sequence acks at once.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { BatchingWebSocket } from "../../src/client/transport.js";
import { withRealSockets } from "../emulator/helpers.js";

describe("client Node transport", () => {
  let server: WebSocketServer;
  let client: BatchingWebSocket;
  let peer: ServerSocket;
  let received: string[] = [];
  /** What the client handed its TCP socket, write by write. */
  let writes: Buffer[] = [];

  async function connect(options: { perMessageDeflate?: boolean } = {}): Promise<void> {
    received = [];
    writes = [];
    server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: options.perMessageDeflate ?? false });
    await new Promise((r) => server.once("listening", r));
    const connected = new Promise<ServerSocket>((r) => server.once("connection", r));
    // The socket itself, not nock's wrapper (active once any suite imports nock).
    client = withRealSockets(() => new BatchingWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`));
    await new Promise((r) => client.once("open", r));
    peer = await connected;
    peer.on("message", (data, isBinary) => received.push(isBinary ? `binary:${String(data)}` : String(data)));
    const socket = (client as unknown as { _socket: { write(chunk: Buffer, ...rest: unknown[]): boolean } })._socket;
    const write = socket.write;
    socket.write = function (this: unknown, chunk: Buffer, ...rest: unknown[]) {
      writes.push(Buffer.from(chunk));
      return write.call(this, chunk, ...rest);
    };
  }

  async function receivedCount(n: number): Promise<void> {
    for (let i = 0; received.length < n && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
  }

  const tick = () => new Promise((r) => process.nextTick(r));

  afterEach(async () => {
    client.terminate();
    await new Promise((r) => server.close(r));
  });

  describe("without extensions (as the service answers)", () => {
    beforeEach(() => connect());

    it("writes the frames of one tick in one write, in order, at its end", async () => {
      client.send("a");
      client.send("b");
      assert.equal(writes.length, 0, "held until the tick ends");
      await tick();
      assert.equal(writes.length, 1);
      await receivedCount(2);
      assert.deepEqual(received, ["a", "b"]);
    });

    it("writes held frames before the end of the tick once they reach 2 KiB, in order", async () => {
      const sent = Array.from({ length: 64 }, (_, i) => `${i} ${"p".repeat(100)}`);
      for (const text of sent) client.send(text);
      const before = writes.length;
      await tick();
      assert.ok(before >= 2, `${before} writes before the tick ended`);
      assert.ok(writes.every((w) => w.length <= 2048 + 200), "no write far past 2 KiB");
      await receivedCount(sent.length);
      assert.deepEqual(received, sent);
    });

    it("writes a sequenceAck at once, after what was held before it", async () => {
      client.send("a");
      client.send('{"type":"sequenceAck","sequenceId":100}');
      assert.equal(writes.length, 1, "nothing waits for the end of the tick");
      client.send("c");
      await tick();
      assert.equal(writes.length, 2);
      await receivedCount(3);
      assert.deepEqual(received, ["a", '{"type":"sequenceAck","sequenceId":100}', "c"]);
    });

    it("frames text of every length and width exactly (7-bit and 16-bit lengths, multi-byte UTF-8, a lone surrogate)", async () => {
      const texts = [
        "",
        "x",
        "y".repeat(125),
        "z".repeat(126),
        "é".repeat(62), // 124 bytes
        "é".repeat(63), // 126 bytes: the header guessed from 63 characters was too short
        "€".repeat(41) + "ab", // 125 bytes
        "😀".repeat(100),
        "w".repeat(16 * 1024),
        "v".repeat(16 * 1024 + 1), // through `ws`
        '{"type":"sendToGroup","group":"g","data":"\\u2028\\"q\\""}',
      ];
      for (const text of texts) client.send(text);
      client.send("\ud800 lone");
      await receivedCount(texts.length + 1);
      assert.deepEqual(received, [...texts, "\ufffd lone"]);
    });

    it("keeps order across a full slab, binary frames and long frames sent through ws", async () => {
      const sent: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const text = `${i}:${"m".repeat(90)}`;
        sent.push(text);
        client.send(text);
        if (i === 700) {
          client.send(Buffer.from("bin"));
          sent.push("binary:bin");
        }
        if (i === 1500) {
          const long = "L".repeat(20_000);
          client.send(long);
          sent.push(long);
        }
      }
      await tick();
      await receivedCount(sent.length);
      assert.deepEqual(received, sent);
      assert.ok(writes.length > 2, "a 64 KiB slab cannot hold 190 KB: it was handed over and a new one started");
    });

    it("keeps each socket's frames apart and in order when two sockets send in the same tick", async () => {
      const second = new Promise<ServerSocket>((r) => server.once("connection", r));
      const other = withRealSockets(() => new BatchingWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`));
      try {
        await new Promise((r) => other.once("open", r));
        const otherReceived: string[] = [];
        (await second).on("message", (data) => otherReceived.push(String(data)));
        const mine: string[] = [];
        const theirs: string[] = [];
        for (let i = 0; i < 1500; i++) {
          const a = `a${i} ${"x".repeat(i % 200)}`;
          const b = `b${i}`;
          client.send(a);
          other.send(b);
          mine.push(a);
          theirs.push(b);
        }
        await receivedCount(mine.length);
        for (let i = 0; otherReceived.length < theirs.length && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
        assert.deepEqual(received, mine);
        assert.deepEqual(otherReceived, theirs);
      } finally {
        other.terminate();
      }
    });

    it("masks every frame with its own random key", async () => {
      for (let i = 0; i < 64; i++) client.send(`frame ${i}`);
      await tick();
      const bytes = Buffer.concat(writes);
      const masks = new Set<string>();
      let at = 0;
      const payloads: string[] = [];
      while (at < bytes.length) {
        assert.equal(bytes[at], 0x81, "FIN and text");
        assert.ok(bytes[at + 1]! & 0x80, "masked");
        const length = bytes[at + 1]! & 0x7f;
        const mask = bytes.subarray(at + 2, at + 6);
        masks.add(mask.toString("hex"));
        const payload = Buffer.from(bytes.subarray(at + 6, at + 6 + length));
        for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
        payloads.push(payload.toString());
        at += 6 + length;
      }
      assert.deepEqual(payloads, Array.from({ length: 64 }, (_, i) => `frame ${i}`));
      assert.ok(masks.size >= 60, `64 frames, ${masks.size} distinct masks`);
      assert.ok(!masks.has("00000000") || masks.size === 64);
    });

    it("writes the frames held in this tick before its close frame", async () => {
      const closed = new Promise<number>((r) => peer.once("close", (code) => r(code)));
      client.send("last words");
      client.close(1000);
      assert.equal(await closed, 1000);
      assert.deepEqual(received, ["last words"]);
    });
  });

  describe("receiving", () => {
    let messages: { data: unknown; isBinary: boolean }[];
    let pongs: number;
    beforeEach(async () => {
      await connect();
      messages = [];
      pongs = 0;
      client.on("message", (data, isBinary) => messages.push({ data, isBinary }));
      peer.on("pong", () => pongs++);
    });

    /** Writes raw bytes from the server's side, as one TCP write. */
    const raw = (...parts: (number[] | Buffer)[]) => (peer as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.concat(parts.map((p) => Buffer.from(p))));
    const textFrame = (text: string) => {
      const payload = Buffer.from(text);
      return payload.length < 126 ? Buffer.concat([Buffer.from([0x81, payload.length]), payload]) : Buffer.concat([Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]), payload]);
    };
    // Text frames `ws` itself read arrive as Buffers, the others as strings: the client takes both.
    const texts = () => messages.map((m) => (m.isBinary ? `binary:${String(m.data)}` : String(m.data)));
    async function messageCount(n: number): Promise<void> {
      for (let i = 0; messages.length < n && i < 400; i++) await new Promise((r) => setTimeout(r, 5));
    }

    it("hands the text frames of one read over as strings, in order", async () => {
      const sent = Array.from({ length: 300 }, (_, i) => `{"i":${i}} ${"é".repeat(i % 90)}`);
      raw(...sent.map(textFrame));
      await messageCount(sent.length);
      assert.deepEqual(texts(), sent);
      assert.ok(messages.every((m) => typeof m.data === "string" && m.isBinary === false));
    });

    it("keeps order and meaning across control, binary, fragmented, long and split frames", async () => {
      peer.send("one");
      peer.ping();
      peer.send(Buffer.from("two"), { binary: true });
      peer.send("thr", { fin: false });
      peer.send("ee", { fin: true });
      peer.send("L".repeat(70_000)); // a 64-bit length
      peer.send("four");
      const split = textFrame("five, written in two pieces");
      raw(split.subarray(0, 5));
      await new Promise((r) => setTimeout(r, 20));
      raw(split.subarray(5), textFrame("six"));
      await messageCount(7);
      assert.deepEqual(texts(), ["one", "binary:two", "three", "L".repeat(70_000), "four", "five, written in two pieces", "six"]);
      for (let i = 0; pongs < 1 && i < 100; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(pongs, 1, "the ping was answered");
    });

    it("leaves the rest of a frame split across reads to ws, even when it looks like a text frame", async () => {
      // A binary frame whose payload is itself a complete text frame, sent as header, then payload.
      raw([0x82, 5]);
      await new Promise((r) => setTimeout(r, 20));
      raw(textFrame("xyz"), textFrame("after"));
      await messageCount(2);
      assert.deepEqual(messages.map((m) => [Buffer.from(m.data as Buffer).toString("hex"), m.isBinary]), [
        [textFrame("xyz").toString("hex"), true],
        [Buffer.from("after").toString("hex"), false],
      ]);
    });

    it("leaves a header split after its first byte to ws", async () => {
      // 0x82 0x81: a masked binary frame, which a server must not send; not a text frame 0x81 0x03.
      const failed = new Promise<Error & { code?: string }>((r) => client.once("error", r));
      raw([0x82]);
      await new Promise((r) => setTimeout(r, 20));
      raw(textFrame("xyz"));
      assert.equal((await failed).code, "WS_ERR_UNEXPECTED_MASK");
      assert.deepEqual(messages, []);
    });

    it("fails the connection on a text frame inside a fragmented message, as ws does", async () => {
      const failed = new Promise<Error & { code?: string }>((r) => client.once("error", r));
      raw([0x01, 2, 0x61, 0x62]);
      await new Promise((r) => setTimeout(r, 20));
      raw(textFrame("not a continuation"));
      assert.equal((await failed).code, "WS_ERR_INVALID_OPCODE");
      assert.deepEqual(messages, []);
    });

    it("passes text that really contains U+FFFD", async () => {
      raw(textFrame("a \ufffd b"), textFrame("c"));
      await messageCount(2);
      assert.deepEqual(texts(), ["a \ufffd b", "c"]);
    });

    it("fails the connection on a text frame that is not UTF-8, after the frames before it", async () => {
      const failed = new Promise<Error & { code?: string }>((r) => client.once("error", r));
      raw(textFrame("fine"), [0x81, 2, 0xc3, 0x28], textFrame("never"));
      const error = await failed;
      assert.equal(error.code, "WS_ERR_INVALID_UTF8");
      assert.deepEqual(texts(), ["fine"]);
    });

    it("fails the connection on a masked frame from the server", async () => {
      const failed = new Promise<Error & { code?: string }>((r) => client.once("error", r));
      raw(textFrame("fine"), [0x81, 0x82, 1, 2, 3, 4, 0x60, 0x60]);
      assert.equal((await failed).code, "WS_ERR_UNEXPECTED_MASK");
      assert.deepEqual(texts(), ["fine"]);
    });
  });

  describe("with permessage-deflate negotiated", () => {
    beforeEach(() => connect({ perMessageDeflate: true }));

    it("leaves framing to ws (compressed), in order", async () => {
      const sent = Array.from({ length: 50 }, (_, i) => `compressible ${"c".repeat(2000)} ${i}`);
      for (const text of sent) client.send(text);
      await receivedCount(sent.length);
      assert.deepEqual(received, sent);
      const total = writes.reduce((n, w) => n + w.length, 0);
      assert.ok(total < 50 * 2000, `compressed: ${total} bytes for 100 KB of text`);
    });
  });
});
