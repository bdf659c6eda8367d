// node:http adapter: IncomingMessage in, ServerResponse out, over the same dispatcher as the
// Fetch core. It reads and writes Node objects directly instead of building a Fetch Request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventDispatcher } from "./dispatcher.js";
import type { BodyResult, EventInput, EventOutput } from "./exchange.js";

/** A node:http request listener; with `next` (Connect style), requests for other paths, hubs or events go there. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** The dispatcher's view of a Node request. A class, not a literal: no closures per event. */
class NodeEventInput implements EventInput {
  readonly method: string;
  readonly path: string;
  constructor(
    private readonly req: IncomingMessage,
    url: string,
    private readonly body: ((limit: number) => Promise<BodyResult>) | undefined,
  ) {
    this.method = req.method ?? "GET";
    const query = url.indexOf("?");
    this.path = query < 0 ? url : url.slice(0, query);
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()];
    return typeof value === "string" ? value : value?.[0];
  }

  readBody(limit: number): Promise<BodyResult> {
    return this.body ? this.body(limit) : readNodeBody(this.req, limit);
  }
}

/** The dispatcher's view of a Node request; `body` overrides reading the stream (Express parsers). */
export function nodeInput(req: IncomingMessage, url: string, body?: (limit: number) => Promise<BodyResult>): EventInput {
  return new NodeEventInput(req, url, body);
}

/** Collects one request body; its handlers are bound once per request. */
class BodyCollector {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
    private readonly resolve: (result: BodyResult) => void,
  ) {
    this.onData = this.onData.bind(this);
    this.onEnd = this.onEnd.bind(this);
    this.onError = this.onError.bind(this);
    this.onClose = this.onClose.bind(this);
    req.on("data", this.onData).on("end", this.onEnd).on("error", this.onError).on("close", this.onClose);
  }

  private finish(result: BodyResult): void {
    this.req.off("data", this.onData).off("end", this.onEnd).off("error", this.onError).off("close", this.onClose);
    this.resolve(result);
  }

  private onData(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.finish({ kind: "too-large" });
      this.req.resume(); // discard the rest; the 413 closes the connection
      return;
    }
    this.chunks.push(chunk);
  }

  private onEnd(): void {
    this.finish({ kind: "bytes", bytes: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks) });
  }

  private onError(err: Error): void {
    this.finish({ kind: "unreadable", message: `the request failed: ${err.message}` });
  }

  private onClose(): void {
    this.finish({ kind: "unreadable", message: "the request was aborted before its body ended" });
  }
}

/** Reads the request stream up to `limit` bytes. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (req.readableEnded) return Promise.resolve({ kind: "unreadable", message: "the request body was already read by something else" });
  return new Promise((resolve) => new BodyCollector(req, limit, resolve));
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
