// Node transport: the global WebSocket where the runtime has one (Node >= 22, Deno, Bun),
// else `ws`. transport.browser.ts replaces this file in the browser build, so `ws` never
// reaches a bundle.
import WebSocket from "ws";
import { toFactory, type WebSocketFactory } from "./webSocketLike.js";

/** The WebSocket implementation used when the caller passes none. */
export function defaultWebSocketFactory(): WebSocketFactory {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  return toFactory((typeof native === "function" ? native : WebSocket) as never);
}
