// The emulator's HTTP server: request timeouts, and an HTTP answer instead of a TCP reset for
// requests Node's parser refuses (issue 13, item 7). Node's own default handler answers those
// with a bare status line; this one adds the flat JSON error body every other REST error has.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { acceptedOrder } from "./acceptOrder.js";
import { badRequest, RestError } from "./errors.js";
import { SUPPORTED_API_VERSIONS, writeError } from "./rest/index.js";

/** Timeouts of the HTTP server; tests shorten them. */
export interface HttpServerTimings {
  /** Time allowed for the request line and headers, then 408. Default {@link HEADERS_TIMEOUT_MS}. */
  headersTimeoutMs?: number;
  /** Time allowed for a whole request, body included, then 408. Default {@link REQUEST_TIMEOUT_MS}. */
  requestTimeoutMs?: number;
}

/** Default headers timeout: a slowloris client holds a socket this long at most. */
export const HEADERS_TIMEOUT_MS = 15_000;
/** Default whole-request timeout (a 1 MiB body on loopback needs far less). */
export const REQUEST_TIMEOUT_MS = 60_000;
// How long an answered socket keeps draining what the client still sends before it is
// destroyed: closing with unread input makes the kernel send a reset, which can discard the
// answer at the client.
const LINGER_MS = 2_000;

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

/** Creates the server; `onRequest` sees only requests that parsed. */
export function createHttpServer(
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
  log: (line: string) => void,
  timings: HttpServerTimings = {},
): Server {
  const headersTimeout = timings.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(timings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, headersTimeout);
  // The response in progress on each socket: a second response must not be written into it.
  const inFlight = new WeakMap<Socket, ServerResponse>();
  // Sockets already answered with an error: what they send afterwards is drained, not served.
  const answered = new WeakSet<Socket>();

  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks the two timeouts on this interval (default 30 s, which would make a 1 s
      // headers timeout fire after up to 31 s).
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(headersTimeout / 4))),
      // Node's own check answers a bare 400 with no body; the handler below adds the JSON error.
      requireHostHeader: false,
    },
    (req, res) => {
      const socket = req.socket;
      if (answered.has(socket)) return void res.destroy();
      inFlight.set(socket, res);
      res.once("finish", () => {
        if (inFlight.get(socket) === res) inFlight.delete(socket);
      });
      // HTTP/1.1 requires Host (RFC 9112 §3.2); REST token audiences are built from it.
      if (req.headers.host === undefined && req.httpVersion === "1.1") {
        res.shouldKeepAlive = false;
        return writeError(res, badRequest("The Host header is required.", "Host"));
      }
      onRequest(req, res);
    },
  );
  server.on("connection", (socket: Socket) => void acceptedOrder(socket));
  // Without these listeners Node answers `Expect: <anything but 100-continue>` with a bare 417
  // and drops CONNECT requests without any answer.
  server.on("checkExpectation", (_req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
    writeError(res, new RestError(417, "Error.ExpectationFailed", "Only 'Expect: 100-continue' is supported.", "Expect"));
  });
  server.on("connect", (_req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => undefined);
    socket.resume(); // drain what follows, so closing sends FIN, not a reset
    endWith(socket, { status: 405, code: "Error.MethodNotAllowed", message: "CONNECT is not supported." });
  });

  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    // The parser reports each later chunk of a refused request again: answer only once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const current = inFlight.get(socket);
    // A reset from the client, or a response already half written: nothing can be answered.
    if (err.code === "ECONNRESET" || !socket.writable || (current && current.headersSent && !current.writableEnded)) {
      socket.destroy();
      return;
    }
    const answer = answerFor(err.code);
    log(`HTTP request refused with ${answer.status}: ${err.code ?? "parse error"}`);
    endWith(socket, answer);
  });
  return server;
}

// Writes the answer and half-closes, then destroys the socket after LINGER_MS at the latest.
function endWith(socket: Duplex, answer: ErrorAnswer): void {
  socket.end(errorResponse(answer));
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once("close", () => clearTimeout(linger));
}

// Same statuses as Node's default clientError handler; codes and messages in the REST style
// (the message names the parser's error code only, never echoes the request).
function answerFor(code: string | undefined): ErrorAnswer {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        code: "Error.RequestHeaderFieldsTooLarge",
        message: "The request line and headers are larger than the server accepts.",
      };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return { status: 413, code: "Error.PayloadTooLarge", message: "The chunk extensions are larger than the server accepts." };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, code: "Error.RequestTimeout", message: "The request did not arrive in time." };
    default:
      return {
        status: 400,
        code: "Error.BadRequest",
        message: `The request is not valid HTTP/1.1 (${code?.startsWith("HPE_") ? code : "parse error"}).`,
      };
  }
}

function errorResponse(answer: ErrorAnswer): string {
  const body = JSON.stringify({ code: answer.code, message: answer.message });
  return (
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? "Error"}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `x-ms-error-code: ${answer.code}\r\n` +
    `api-supported-versions: ${SUPPORTED_API_VERSIONS.join(", ")}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}
