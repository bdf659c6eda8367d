// Issue 13 item 8: a handler reply larger than the message limit fails the event with that
// reason, instead of being buffered whole and delivered (or closing the client with 1008).
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AbuseProtectionHeader, buildEventType, CloudEventHeader, MAX_MESSAGE_BYTES, readHeader } from "../../src/core/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { UpstreamDispatcher, type UpstreamContext } from "../../src/emulator/upstream/index.js";
import { clientsClosedAfterEach, connectJson, connectRaw, start } from "./helpers.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const OVER_LIMIT = MAX_MESSAGE_BYTES + 1;

/** How the handler sends its reply: with Content-Length, or chunked in 64 KiB pieces. */
type Framing = "content-length" | "chunked";

/** An upstream on loopback that accepts validation and answers each event with `size` bytes. */
async function bigReplyHandler(size: () => number, framing: () => Framing): Promise<{ url: string; bytesWritten: () => number; close(): Promise<void> }> {
  let written = 0;
  const server: Server = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      if (req.method !== "POST") {
        res.writeHead(200, { [AbuseProtectionHeader.allowedOrigin]: "*" }).end();
        return;
      }
      const n = size();
      // A valid JSON object for connect, so only its size can make the emulator refuse it.
      const body = Buffer.alloc(n, 0x61);
      if (readHeader(req.headers, CloudEventHeader.eventName) === "connect") {
        body.write('{"p":"', 0);
        body.write('"}', n - 2);
      }
      if (framing() === "content-length") res.setHeader("content-length", String(n));
      res.writeHead(200, { "content-type": "text/plain" });
      // Write as the socket drains; stop when the reader went away.
      let at = 0;
      const pump = (): void => {
        while (at < n) {
          const piece = body.subarray(at, Math.min(n, at + 64 * 1024));
          at += piece.length;
          written += piece.length;
          if (!res.write(piece)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      res.socket?.on("error", () => undefined);
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/{event}`,
    bytesWritten: () => written,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function ctx(): UpstreamContext {
  return { hub: "chat", connectionId: "c1", userId: null, subprotocol: null, origin: "localhost" };
}

describe("upstream reply size limit", () => {
  let size = OVER_LIMIT;
  let framing: Framing = "content-length";
  let handler: Awaited<ReturnType<typeof bigReplyHandler>>;
  let dispatcher: UpstreamDispatcher | undefined;

  before(async () => {
    handler = await bigReplyHandler(
      () => size,
      () => framing,
    );
  });
  after(() => handler.close());
  afterEach(async () => {
    await dispatcher?.close();
    dispatcher = undefined;
  });

  function make(maxReplyBytes?: number): UpstreamDispatcher {
    dispatcher = new UpstreamDispatcher({
      accessKey: KEY,
      hubs: { chat: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "*", systemEvents: ["connect"] }] } },
      retryDelaysMs: [],
      ...(maxReplyBytes === undefined ? {} : { maxReplyBytes }),
    });
    return dispatcher;
  }

  it("fails a user event whose declared reply exceeds the 1 MiB message limit, naming the limit", async () => {
    size = OVER_LIMIT;
    framing = "content-length";
    const outcome = await make().userEvent(ctx(), "message", Buffer.from("x"), "text");
    assert.equal(outcome.kind, "failed");
    assert.match(outcome.kind === "failed" ? (outcome.reason ?? "") : "", /larger than the 1048576-byte message limit/);
  });

  it("stops reading a chunked reply once it passes the limit", async () => {
    size = 8 * 1024 * 1024;
    framing = "chunked";
    const before = handler.bytesWritten();
    const outcome = await make(100_000).userEvent(ctx(), "message", Buffer.from("x"), "text");
    assert.equal(outcome.kind, "failed");
    assert.match(outcome.kind === "failed" ? (outcome.reason ?? "") : "", /100000-byte/);
    // The handler could not push all 8 MiB: the dispatcher hung up (socket buffers allow a few MiB at most).
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(handler.bytesWritten() - before < size, `handler wrote ${handler.bytesWritten() - before} bytes`);
  });

  it("still delivers a reply of exactly the limit", async () => {
    size = 100_000;
    framing = "chunked";
    const outcome = await make(100_000).userEvent(ctx(), "message", Buffer.from("x"), "text");
    assert.equal(outcome.kind, "ok");
    assert.equal(outcome.kind === "ok" ? outcome.data?.byteLength : 0, 100_000);
  });

  it("rejects a connect whose (valid JSON) reply exceeds the limit with 500", async () => {
    size = OVER_LIMIT;
    framing = "content-length";
    const body = { claims: {}, query: {}, headers: {}, subprotocols: [], clientCertificates: [] };
    assert.deepEqual(await make().connect(ctx(), body), { kind: "reject", status: 500 });
  });
});

describe("emulator clients behind an over-large handler reply", () => {
  let emu: Emulator;
  let handler: Awaited<ReturnType<typeof bigReplyHandler>>;
  const clients = clientsClosedAfterEach();

  before(async () => {
    handler = await bigReplyHandler(
      () => OVER_LIMIT,
      () => "chunked",
    );
    emu = await start({ hubs: { big: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "*" }] } } });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });

  it("acks a JSON client's event with InternalServerError naming the limit, and keeps the connection", async () => {
    const c = await connectJson(emu, "big");
    clients.push(c);
    const ack = await c.request({ type: "event", event: "ask", ackId: 1, dataType: "text", data: "x" });
    assert.equal(ack.success, false);
    assert.equal(ack.error.name, "InternalServerError");
    assert.match(ack.error.message, /larger than the 1048576-byte message limit/);
    // Nothing of the reply was delivered, and the connection still works.
    c.send({ type: "ping" });
    assert.equal((await c.nextJson()).type, "pong");
  });

  it("closes a raw client with 1011 and the real reason", async () => {
    const c = await connectRaw(emu, "big");
    clients.push(c);
    c.send("hello");
    const closed = await c.closed;
    assert.equal(closed.code, 1011);
    assert.match(closed.reason, /larger than the 1048576-byte message limit/);
  });

  it("sends events whose headers core reads back as the user event", async () => {
    // Guards the encoder: the emulator's request is a well-formed CloudEvent by core's reader.
    let seen: ReturnType<typeof readHeader>;
    const server = createServer((req, res) => {
      req.resume();
      if (req.method === "POST") seen = readHeader(req.headers, CloudEventHeader.type);
      res.writeHead(req.method === "POST" ? 204 : 200, { [AbuseProtectionHeader.allowedOrigin]: "*" }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const d = new UpstreamDispatcher({
      accessKey: KEY,
      hubs: { chat: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${(server.address() as AddressInfo).port}/{event}`, userEventPattern: "*" }] } },
    });
    try {
      assert.equal((await d.userEvent(ctx(), "echo", Buffer.from("x"), "text")).kind, "ok");
      assert.equal(seen, buildEventType("user", "echo"));
    } finally {
      await d.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
