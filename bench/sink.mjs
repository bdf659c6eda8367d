// The benchmark's HTTP sink, in its own process so that its cost never mixes with the client's:
// answers every request 202 with an empty body, keeps connections alive, reports its port.
// Plain JavaScript so it needs no TypeScript loader. Loopback only.
//
// Two kinds (argv[2]):
//  - "raw" (the default): a minimal HTTP/1.1 responder on node:net. It reads each request's
//    head, skips its body (Content-Length or chunked) and writes one canned response, so a
//    round trip costs the sink a few microseconds. With the sink that cheap, a sequential
//    client's rate shows the client's own cost rather than the server's.
//  - "http": node:http's server, as before; costs the sink tens of microseconds per request.
// Anything the raw parser does not understand gets a 400 and the connection is closed, so a
// client that sent something unexpected fails loudly instead of being measured.
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";

const kind = process.argv[2] ?? "raw";
const RESPONSE = Buffer.from("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n");
const CONTINUE = Buffer.from("HTTP/1.1 100 Continue\r\n\r\n");
const BAD = Buffer.from("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");
const MAX_HEAD = 64 * 1024;

/** Reads requests off one connection and answers each complete one with the canned 202. */
function rawConnection(socket) {
  let pending = Buffer.alloc(0);
  // Body bytes still to skip for the current request (-1: reading a head; -2: reading chunks).
  let bodyLeft = -1;
  const fail = () => {
    socket.end(BAD);
    pending = Buffer.alloc(0);
  };
  // Skips a chunked body; returns the offset after it, or -1 when more bytes are needed.
  const skipChunks = (buf, at) => {
    for (;;) {
      const eol = buf.indexOf("\r\n", at, "latin1");
      if (eol < 0) return -1;
      const size = parseInt(buf.toString("latin1", at, eol), 16);
      if (!Number.isFinite(size) || size < 0) return -2;
      if (size === 0) {
        // No trailers are expected: the last chunk is followed by an empty line.
        return buf.length >= eol + 4 ? eol + 4 : -1;
      }
      if (buf.length < eol + 2 + size + 2) return -1;
      at = eol + 2 + size + 2;
    }
  };
  socket.on("data", (chunk) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    let answers = 0;
    while (at < buf.length) {
      if (bodyLeft > 0) {
        const take = Math.min(bodyLeft, buf.length - at);
        bodyLeft -= take;
        at += take;
        if (bodyLeft > 0) break;
        bodyLeft = -1;
        answers++;
        continue;
      }
      const end = buf.indexOf(HEAD_END, at);
      if (end < 0) {
        if (buf.length - at > MAX_HEAD) return fail();
        break;
      }
      const head = buf.toString("latin1", at, end).toLowerCase();
      if (!/^[a-z]+ \S+ http\/1\.1\r\n/.test(head)) return fail();
      const bodyStart = end + 4;
      if (head.includes("\r\nexpect: 100-continue")) socket.write(CONTINUE);
      if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) {
        const after = skipChunks(buf, bodyStart);
        if (after === -2) return fail();
        if (after === -1) break; // wait for the rest; the head is parsed again then (rare)
        at = after;
        answers++;
        continue;
      }
      const length = /\r\ncontent-length: *(\d+)/.exec(head);
      at = bodyStart;
      bodyLeft = length ? Number(length[1]) : 0;
      if (bodyLeft === 0) {
        bodyLeft = -1;
        answers++;
      }
    }
    pending = at < buf.length ? buf.subarray(at) : Buffer.alloc(0);
    if (answers === 1) socket.write(RESPONSE);
    else if (answers > 1) socket.write(Buffer.concat(Array.from({ length: answers }, () => RESPONSE)));
  });
  socket.on("error", () => socket.destroy());
}

const sockets = new Set();
const server =
  kind === "http"
    ? createHttpServer((req, res) => {
        req.resume();
        req.on("end", () => {
          res.statusCode = 202;
          res.end();
        });
      })
    : createNetServer({ noDelay: true }, (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        rawConnection(socket);
      });
if (kind === "http") server.keepAliveTimeout = 60_000;
else if (kind !== "raw") throw new Error(`unknown sink kind ${kind}: use raw or http`);
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
process.on("disconnect", () => {
  if (kind === "http") server.closeAllConnections();
  for (const socket of sockets) socket.destroy();
  server.close();
});
