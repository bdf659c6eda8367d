// The Fetch core: a Web `Request` in, a `Response` out. No node: import, so it runs as is in
// Next.js route handlers, Hono, Bun and Deno; node.ts and express.ts adapt the same dispatcher.
import { EventDispatcher } from "./dispatcher.js";
import type { BodyResult, EventInput, EventOutput } from "./exchange.js";
import { createExpressMiddleware, type ExpressMiddleware } from "./express.js";
import { createRequestListener, type NodeRequestListener } from "./node.js";
import { bodyBytes } from "./replies.js";
import type { WebPubSubEventHandlerOptions } from "./types.js";

/** Reads a Fetch body up to `limit` bytes, cancelling the stream past it. */
async function readFetchBody(request: Request, limit: number): Promise<BodyResult> {
  if (request.bodyUsed) return { kind: "unreadable", message: "the request body was already read" };
  if (request.body === null) return { kind: "bytes", bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { kind: "too-large" };
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return { kind: "bytes", bytes: chunks[0]! };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { kind: "bytes", bytes };
}

function fetchInput(request: Request): EventInput {
  return {
    method: request.method.toUpperCase(),
    path: new URL(request.url).pathname,
    header: (name) => request.headers.get(name) ?? undefined,
    readBody: (limit) => readFetchBody(request, limit),
  };
}

function toResponse(output: EventOutput): Response {
  // Bytes, not a string: a string body would make Response add a text/plain Content-Type.
  const body = output.status === 204 || output.body === undefined ? null : (bodyBytes(output.body) as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: output.status, headers: output.headers });
}

/**
 * Receives Web PubSub CloudEvents (connect, connected, disconnected, user events, group
 * presence) for one hub, checks their signature, and calls your callbacks. Use it as a Fetch
 * handler ({@link WebPubSubEventHandler.handle}), a node:http listener or Express middleware.
 */
export class WebPubSubEventHandler {
  /** The path events are accepted at, lower-case with a trailing slash. */
  readonly path: string;
  /** The hub whose events this handler takes (`ce-hub`, case-insensitive). */
  readonly hub: string;
  /**
   * Fetch handler: answers one request. Requests that are not this handler's get a 4xx with a
   * JSON `{code, message}` body. Bound, so it can be passed around (`Deno.serve(handler.handle)`).
   */
  readonly handle: (request: Request) => Promise<Response>;
  private readonly dispatcher: EventDispatcher;

  /**
   * @param hub - The hub whose events to take.
   * @param options - Callbacks, and `accessKeys` or `connectionString` to verify `ce-signature`.
   */
  constructor(hub: string, options: WebPubSubEventHandlerOptions = {}) {
    this.dispatcher = new EventDispatcher(hub, options);
    this.hub = hub;
    this.path = this.dispatcher.path;
    this.handle = async (request) => toResponse((await this.dispatcher.dispatch(fetchInput(request))).output);
  }

  /** Express middleware; requests for other paths, hubs or unknown events go to `next()`. Works after body parsers. */
  getMiddleware(): ExpressMiddleware {
    return createExpressMiddleware(this.dispatcher);
  }

  /** A node:http listener: `http.createServer(handler.getRequestListener())`. */
  getRequestListener(): NodeRequestListener {
    return createRequestListener(this.dispatcher);
  }

  /** Replaces the access keys, e.g. after rotating one; list old and new until the service uses the new one. */
  updateAccessKeys(accessKeys: readonly string[]): void {
    this.dispatcher.updateAccessKeys(accessKeys);
  }
}
