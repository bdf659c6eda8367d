// The service-client benchmark's raw sink (bench/sink.mjs) must answer exactly one 202 per
// request whatever the framing, or the benchmark would count answers to requests it never
// parsed. These tests drive it over raw TCP (so every framing is under our control) and with
// the clients the benchmark uses.
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { WebPubSubServiceClient } from "../../src/index.js";

const SINK = fileURLToPath(new URL("../../bench/sink.mjs", import.meta.url));
const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

async function startSink(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SINK, [kind], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return { child, port };
}

/** Writes `parts` one by one (each its own TCP write, a tick apart) and collects what comes back until `until` holds or `waitMs` pass. */
async function exchange(port: number, parts: string[], until: (text: string) => boolean, waitMs = 2000): Promise<{ text: string; closed: boolean }> {
  const socket: Socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  let text = "";
  let closed = false;
  socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
  socket.on("close", () => (closed = true));
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  for (const part of parts) {
    socket.write(part);
    await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + waitMs;
  while (!until(text) && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // A little longer, so an extra answer that should not exist would show up.
  await new Promise((r) => setTimeout(r, 30));
  socket.destroy();
  return { text, closed };
}

const answers = (text: string) => text.split("HTTP/1.1 202 Accepted").length - 1;
const post = (body: string, extra = "") => `POST /api/hubs/h/:send HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("bench sink (raw)", function () {
  this.timeout(20_000);
  let sink: { child: ChildProcess; port: number };
  before(async () => (sink = await startSink("raw")));
  after(() => {
    sink.child.disconnect();
    sink.child.kill();
  });

  it("answers one 202 per request, pipelined requests included", async () => {
    const { text } = await exchange(sink.port, [post("hello") + post("") + post("world")], (t) => answers(t) >= 3);
    assert.equal(answers(text), 3);
  });

  it("waits for a head and a body split across writes before answering", async () => {
    const whole = post("0123456789");
    const { text } = await exchange(sink.port, [whole.slice(0, 20), whole.slice(20, whole.length - 4), whole.slice(-4)], (t) => answers(t) >= 1);
    assert.equal(answers(text), 1);
  });

  it("skips chunked bodies, whole or split, and answers each once", async () => {
    const chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
    const { text } = await exchange(sink.port, [chunked + chunked.slice(0, 60), chunked.slice(60)], (t) => answers(t) >= 2);
    assert.equal(answers(text), 2);
  });

  it("does not answer a request whose body has not fully arrived", async () => {
    const whole = post("0123456789");
    const { text } = await exchange(sink.port, [whole.slice(0, -3)], () => false, 300);
    assert.equal(answers(text), 0);
  });

  it("answers 100 Continue before the body when asked", async () => {
    const whole = post("abc", "Expect: 100-continue\r\n");
    const { text } = await exchange(sink.port, [whole], (t) => answers(t) >= 1);
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 Accepted/);
  });

  for (const [name, wire] of [
    ["a head that is not HTTP/1.1", "GARBAGE\r\n\r\n"],
    ["a bad chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"],
  ] as const) {
    it(`answers 400 and closes on ${name}`, async () => {
      const { text, closed } = await exchange(sink.port, [wire], (t) => t.includes("400"));
      assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.equal(answers(text), 0);
      assert.ok(closed);
    });
  }

  it("answers 400 to a head larger than 64 KiB without its end", async () => {
    const { text, closed } = await exchange(sink.port, [`POST / HTTP/1.1\r\nx: ${"a".repeat(70_000)}`], (t) => t.includes("400"));
    assert.match(text, /^HTTP\/1\.1 400/);
    assert.ok(closed);
  });

  it("serves the benchmark's clients: bare undici and our service client, over kept-alive connections", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await request(`http://127.0.0.1:${sink.port}/api/hubs/h/:send`, { method: "POST", body: "hello", headers: { "content-type": "text/plain" } });
      assert.equal(res.statusCode, 202);
      await res.body.dump();
    }
    const client = new WebPubSubServiceClient(`Endpoint=http://127.0.0.1:${sink.port};AccessKey=${KEY};Version=1.0;`, "h", { retryOptions: { maxRetries: 0 } });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.sendToAll(i % 2 ? "text" : { json: i })));
    } finally {
      await client.close();
    }
  });
});
