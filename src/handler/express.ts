// Express middleware over the dispatcher. Typed structurally, so Express stays an optional peer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventDispatcher } from "./dispatcher.js";
import type { BodyResult } from "./exchange.js";
import { nodeInput, readNodeBody, writeNodeOutput } from "./node.js";

/** The parts of an Express request the middleware reads. */
export interface ExpressLikeRequest extends IncomingMessage {
  /** The URL before Express stripped the mount path. */
  originalUrl?: string;
  /** Whatever an earlier body parser produced. */
  body?: unknown;
}

/** An Express middleware: `app.use(handler.getMiddleware())`. */
export type ExpressMiddleware = (req: ExpressLikeRequest, res: ServerResponse, next: (err?: unknown) => void) => Promise<void>;

/** The body, whether or not a body parser ran first. */
function expressBody(req: ExpressLikeRequest, limit: number): Promise<BodyResult> {
  // express.json()/text()/raw() may have drained the stream; then req.body is all there is.
  const drained = req.readableEnded || (req as { _body?: unknown })._body === true;
  if (!drained) return readNodeBody(req, limit);
  const body = req.body;
  if (body === undefined) return Promise.resolve({ kind: "unreadable", message: "an earlier middleware read the body and left req.body empty" });
  if (body instanceof Uint8Array) return Promise.resolve(body.length > limit ? { kind: "too-large" } : { kind: "bytes", bytes: body });
  return Promise.resolve({ kind: "parsed", value: body });
}

/** The Express middleware over a dispatcher: requests that are not this handler's go to next(). */
export function createExpressMiddleware(dispatcher: EventDispatcher): ExpressMiddleware {
  return async (req, res, next) => {
    const outcome = await dispatcher.dispatch(nodeInput(req, req.originalUrl ?? req.url ?? "/", (limit) => expressBody(req, limit)));
    if (!outcome.handled) return next();
    writeNodeOutput(res, outcome.output);
  };
}
