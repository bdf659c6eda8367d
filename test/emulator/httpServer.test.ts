// Malformed HTTP gets an HTTP answer with a JSON error, never a bare close or a reset (issue 13,
// item 7). Requests are written on raw loopback sockets, since fetch cannot send them.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { launchEmulator, type Emulator } from "../../src/emulator/emulator.js";
import { UpstreamDispatcher } from "../../src/emulator/upstream/index.js";
import { KEY } from "./helpers.js";

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The socket ended with ECONNRESET (or any error) rather than a clean close. */
  error: string | undefined;
}

/**
 * Writes `chunks` (pausing `gapMs` between them), then reads until the server closes. With
 * `halfOpen`, the client keeps writing after the server's FIN and ends its side last.
 */
function exchange(port: number, chunks: (string | Buffer)[], gapMs = 0, halfOpen = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: halfOpen });
    const received: Buffer[] = [];
    let error: string | undefined;
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error("the server neither answered nor closed within 5 s"));
    }, 5_000);
    socket.on("data", (d: Buffer) => received.push(d));
    socket.on("error", (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on("close", () => {
      clearTimeout(guard);
      resolve(parse(Buffer.concat(received).toString("latin1"), error));
    });
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (halfOpen && !socket.destroyed) socket.end();
    });
  });
}

function parse(text: string, error: string | undefined): RawAnswer {
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: split < 0 ? "" : text.slice(split + 4), error };
}

function assertJsonError(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, `expected ${status}, got ${answer.status || "no HTTP answer"} (${answer.error ?? "clean close"})`);
  assert.equal(answer.error, undefined, "the connection must close cleanly, not reset");
  assert.match(answer.headers["content-type"] ?? "", /^application\/json/);
  assert.equal(answer.headers["connection"], "close");
  assert.equal(Number(answer.headers["content-length"]), Buffer.byteLength(answer.body, "latin1"));
  const body = JSON.parse(answer.body) as { code: string; message: string };
  assert.equal(body.code, code);
  assert.equal(answer.headers["x-ms-error-code"], code);
  assert.equal(typeof body.message, "string");
}

describe("emulator HTTP server", () => {
  let emu: Emulator;
  const logs: string[] = [];
  before(async () => {
    emu = await launchEmulator(
      { port: 0, onLog: (line) => logs.push(line) },
      (o) => new UpstreamDispatcher(o),
      { headersTimeoutMs: 300, requestTimeoutMs: 300 },
    );
  });
  after(() => emu.close());

  it("answers an unknown method with 400 and a JSON error", async () => {
    const answer = await exchange(emu.port, ["FOO /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n"]);
    assertJsonError(answer, 400, "Error.BadRequest");
    assert.match(JSON.parse(answer.body).message, /HPE_INVALID_METHOD/);
  });

  it("answers a raw non-ASCII path with 400", async () => {
    const request = Buffer.concat([
      Buffer.from("GET /api/hubs/"),
      Buffer.from("caf\u00e9", "utf8"),
      Buffer.from("/:send HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    ]);
    assertJsonError(await exchange(emu.port, [request]), 400, "Error.BadRequest");
  });

  it("answers headers over 16 KiB with 431", async () => {
    const request = `GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`;
    assertJsonError(await exchange(emu.port, [request]), 431, "Error.RequestHeaderFieldsTooLarge");
  });

  it("answers oversized headers that keep coming after the refusal without a reset", async () => {
    // The overflow is detected after 16 KiB; 48 KiB more arrive afterwards and must be drained.
    const chunks = [`GET /api/health HTTP/1.1\r\nHost: localhost\r\n`];
    for (let i = 0; i < 16; i++) chunks.push(`X-Pad-${i}: ${"b".repeat(4_000)}\r\n`);
    chunks.push("\r\n");
    assertJsonError(await exchange(emu.port, chunks, 5), 431, "Error.RequestHeaderFieldsTooLarge");
  });

  it("answers two different Content-Length headers with 400", async () => {
    const request = "POST /api/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!";
    const answer = await exchange(emu.port, [request]);
    assertJsonError(answer, 400, "Error.BadRequest");
    assert.match(JSON.parse(answer.body).message, /HPE_UNEXPECTED_CONTENT_LENGTH/);
  });

  it("answers Content-Length together with chunked Transfer-Encoding with 400", async () => {
    const request =
      "POST /api/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assertJsonError(await exchange(emu.port, [request]), 400, "Error.BadRequest");
  });

  it("answers headers that stop arriving with 408 after the headers timeout", async () => {
    const answer = await exchange(emu.port, ["GET /api/health HTTP/1.1\r\nHost: localhost\r\n"]);
    assertJsonError(answer, 408, "Error.RequestTimeout");
  });

  it("does not serve a request that completes after its 408", async () => {
    // A slowloris client finishing its headers after the answer must not reach a REST handler
    // (the emulator logs every REST call it runs, so the log tells).
    const answer = await exchange(
      emu.port,
      ["GET /api/late-probe HTTP/1.1\r\nHost: localhost\r\n", "X-Late: 1\r\n\r\n"],
      700,
      true,
    );
    assertJsonError(answer, 408, "Error.RequestTimeout");
    assert.equal((answer.body.match(/HTTP\/1\.1/g) ?? []).length, 0, "exactly one answer on the socket");
    assert.equal(logs.filter((line) => line.includes("late-probe")).length, 0);
  });

  it("answers a request without Host with 400 and a JSON error", async () => {
    const answer = await exchange(emu.port, ["GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n"]);
    assertJsonError(answer, 400, "Error.BadRequest");
    assert.match(JSON.parse(answer.body).message, /Host/);
  });

  it("answers an unsupported Expect with 417 and a JSON error", async () => {
    const answer = await exchange(emu.port, ["GET /api/health HTTP/1.1\r\nHost: localhost\r\nExpect: tea\r\n\r\n"]);
    assertJsonError(answer, 417, "Error.ExpectationFailed");
  });

  it("answers CONNECT with 405 and a JSON error", async () => {
    const answer = await exchange(emu.port, ["CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"]);
    assertJsonError(answer, 405, "Error.MethodNotAllowed");
  });

  it("never echoes the request, so a key or token in it stays out of the answer and the log", async () => {
    const token = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl";
    const request = `BREW /api/health?sig=${KEY} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n\r\n`;
    const answer = await exchange(emu.port, [request]);
    assertJsonError(answer, 400, "Error.BadRequest");
    const everything = JSON.stringify(answer) + logs.join("\n");
    assert.equal(everything.includes(KEY), false);
    assert.equal(everything.includes(token), false);
    assert.ok(logs.some((line) => line.includes("HTTP request refused with 400: HPE_INVALID_METHOD")));
  });

  it("keeps answering well-formed requests on the same server", async () => {
    const answer = await exchange(emu.port, ["GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"]);
    assert.equal(answer.status, 200);
  });
});
