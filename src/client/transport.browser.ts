// Browser transport: the page's WebSocket. Replaces transport.ts in the browser build.
import { VERBOSE, WebPubSubError } from "../core/index.js";
import { toFactory, type WebSocketFactory } from "./webSocketLike.js";

/** The WebSocket implementation used when the caller passes none. */
export function defaultWebSocketFactory(): WebSocketFactory {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof native !== "function") {
    throw new WebPubSubError("WPS_ERR_CONFIGURATION", VERBOSE ? "no global WebSocket: set the webSocket option" : "webSocket");
  }
  return toFactory(native as never);
}
