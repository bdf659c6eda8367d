// Node transport: the global WebSocket where the runtime has one (Node >= 22, Deno, Bun),
// else `ws`. transport.browser.ts replaces this file in the browser build, so `ws` never
// reaches a bundle.
import WebSocket from "ws";
import { toFactory, type WebSocketFactory } from "./webSocketLike.js";

// A sequenceAck is written at once, with whatever is corked before it: it is sent while a
// burst of messages is being read, and the service counts every message it has not seen
// acked (docs/protocol.md#reliable-protocol), so holding it to the end of the burst could pass
// the service's limit. encodePlainFrame writes `type` first.
const URGENT = '{"type":"sequenceAck"';

/**
 * `ws`, with the frames sent in one tick written to the socket together: `ws` writes each
 * frame on its own, one system call per frame, which with many sends in flight costs more
 * than building the frames. Corks nest, so `ws`'s own cork per frame only adds to this one.
 */
export class BatchingWebSocket extends WebSocket {
  #corked = false;

  // `any`: ws declares send() with two overloads, and this only passes them through.
  override send(data: Parameters<WebSocket["send"]>[0], ...rest: any[]): void {
    const socket = (this as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (socket && typeof data === "string" && data.startsWith(URGENT)) {
      (super.send as (...a: unknown[]) => void)(data, ...rest);
      if (this.#corked) {
        this.#corked = false;
        socket.uncork(); // the uncork queued for the end of the tick finds nothing left to do
      }
      return;
    }
    if (socket && !this.#corked) {
      this.#corked = true;
      socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    (super.send as (...a: unknown[]) => void)(data, ...rest);
  }
}

/** The WebSocket implementation used when the caller passes none. */
export function defaultWebSocketFactory(): WebSocketFactory {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  return toFactory((typeof native === "function" ? native : BatchingWebSocket) as never);
}
