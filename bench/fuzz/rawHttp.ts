// One HTTP exchange on a raw loopback socket, so the fuzzer can send what fetch refuses to
// and tell an HTTP answer from a silent close or a TCP reset.
import { connect } from "node:net";

/** What came back for one raw request. */
export interface RawHttpAnswer {
  /** 0 when no status line arrived. */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Every byte received, for the secret scan. */
  raw: Buffer;
  /** The socket failed (ECONNRESET, EPIPE…) before a whole answer arrived. */
  reset: string | undefined;
  /** Nothing complete arrived within the time limit. */
  timedOut: boolean;
}

/**
 * Writes `chunks` (with `gapMs` between), half-closes unless `keepOpen`, and reads until one
 * complete response (by Content-Length, or the server's close) or `timeoutMs`.
 */
export function rawExchange(
  port: number,
  chunks: readonly Buffer[],
  options: { gapMs?: number; timeoutMs?: number; keepOpen?: boolean; head?: boolean } = {},
): Promise<RawHttpAnswer> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const received: Buffer[] = [];
    let size = 0;
    let reset: string | undefined;
    let settled = false;
    const finish = (timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(received, size), options.head ?? false);
      resolve({ ...answer, reset: answer.status > 0 ? undefined : reset, timedOut: timedOut && answer.status === 0 });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on("data", (d: Buffer) => {
      received.push(d);
      size += d.length;
      // A complete answer is all the fuzzer needs; keep-alive servers would otherwise wait.
      if (parseAnswer(Buffer.concat(received, size), options.head ?? false).complete) finish(false);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => (reset = err.code ?? err.message));
    socket.on("end", () => finish(false));
    socket.on("close", () => finish(false));
    socket.on("connect", async () => {
      for (const chunk of chunks) {
        if (socket.destroyed || settled) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (!options.keepOpen && !socket.destroyed) socket.end();
    });
  });
}

function parseAnswer(raw: Buffer, head: boolean): Omit<RawHttpAnswer, "reset" | "timedOut"> & { complete: boolean } {
  let offset = 0;
  // Skip interim 1xx answers (100 Continue).
  for (;;) {
    const end = raw.indexOf("\r\n\r\n", offset);
    if (end < 0) return { status: 0, headers: {}, body: Buffer.alloc(0), raw, complete: false };
    const lines = raw.subarray(offset, end).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (status >= 100 && status < 200) {
      offset = end + 4;
      continue;
    }
    const bodyStart = end + 4;
    const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
    const bodyEnd = head || status === 204 || status === 304 ? bodyStart : length === undefined ? raw.length : bodyStart + length;
    const complete = status > 0 && (head || length !== undefined ? raw.length >= bodyEnd : false);
    return { status, headers, body: raw.subarray(bodyStart, Math.min(bodyEnd, raw.length)), raw, complete };
  }
}
