// The WebSocket surface the client uses: the WHATWG API, which `ws` also implements.
// Handlers are typed `any` on purpose: browsers, undici and `ws` each declare their own event
// classes, and only `data`, `code` and `reason` are read.

/** A WebSocket as the client drives it (browser WebSocket, `ws`, undici, or your own). */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set to "arraybuffer" when present; JSON subprotocols only use text frames anyway. */
  binaryType?: string;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection at once, without the closing handshake. */
  terminate?(): void;
  /** Called once the handshake succeeded. */
  onopen: ((event: any) => void) | null;
  /** Called with each frame; `event.data` is a string for text frames. */
  onmessage: ((event: any) => void) | null;
  /** Called once, with `event.code` and `event.reason`. */
  onclose: ((event: any) => void) | null;
  /** Called on a failure; `onclose` follows. */
  onerror: ((event: any) => void) | null;
  /**
   * `ws` only (Node's EventEmitter API): used for `message` when present, as it skips the
   * event object `ws` builds for `onmessage` on every frame.
   */
  on?(event: "message", listener: (data: any, isBinary: boolean) => void): unknown;
}

/** Opens a WebSocket to `url` offering the one `protocol`. */
export type WebSocketFactory = (url: string, protocol: string) => WebSocketLike;

/** A WebSocket class such as the browser's `WebSocket` or `ws`'s default export. */
export type WebSocketConstructorLike = new (url: string, protocols: string) => WebSocketLike;

/**
 * A factory from the `webSocket` option. A constructor is recognised by a `send` method on
 * its prototype (every WebSocket class has one); any other function is called as a factory.
 */
export function toFactory(option: WebSocketFactory | WebSocketConstructorLike): WebSocketFactory {
  const proto = (option as { prototype?: { send?: unknown } }).prototype;
  if (proto && typeof proto.send === "function") {
    const Ctor = option as WebSocketConstructorLike;
    return (url, protocol) => new Ctor(url, protocol);
  }
  return option as WebSocketFactory;
}
