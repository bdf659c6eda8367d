// node:http adapter: IncomingMessage in, ServerResponse out, over the same dispatcher as the
// Fetch core. It reads and writes Node objects directly instead of building a Fetch Request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventDispatcher } from "./dispatcher.js";
import type { BodyResult, EventInput, EventOutput } from "./exchange.js";

/** A node:http request listener; with `next` (Connect style), requests for other paths, hubs or events go there. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** The dispatcher's view of a Node request; `body` overrides reading the stream (Express parsers). */
export function nodeInput(req: IncomingMessage, url: string, body?: (limit: number) => Promise<BodyResult>): EventInput {
  const query = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    path: query < 0 ? url : url.slice(0, query),
    header(name) {
      const value = req.headers[name.toLowerCase()];
      return typeof value === "string" ? value : value?.[0];
    },
    readBody: body ?? ((limit) => readNodeBody(req, limit)),
  };
}

/** Reads the request stream up to `limit` bytes. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (req.readableEnded) return Promise.resolve({ kind: "unreadable", message: "the request body was already read by something else" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult): void => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        finish({ kind: "too-large" });
        req.resume(); // discard the rest; the 413 closes the connection
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: "bytes", bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    const onError = (err: Error): void => finish({ kind: "unreadable", message: `the request failed: ${err.message}` });
    const onClose = (): void => finish({ kind: "unreadable", message: "the request was aborted before its body ended" });
    req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/** Sends the dispatcher's answer, unless something else already answered. */
export function writeNodeOutput(res: ServerResponse, output: EventOutput): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = output.status;
  for (const name in output.headers) res.setHeader(name, output.headers[name]!);
  // An oversized body is still arriving; closing is cheaper than draining it.
  if (output.status === 413) res.setHeader("Connection", "close");
  res.end(output.body);
}

/** The node:http listener over a dispatcher. */
export function createRequestListener(dispatcher: EventDispatcher): NodeRequestListener {
  return (req, res, next) => {
    dispatcher.dispatch(nodeInput(req, req.url ?? "/")).then(
      (outcome) => (!outcome.handled && next ? next() : writeNodeOutput(res, outcome.output)),
      (err: unknown) => (next ? next(err) : writeNodeOutput(res, { status: 500, headers: {}, body: "" })),
    );
  };
}
