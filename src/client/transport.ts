// Node transport: the global WebSocket where the runtime has one (Node >= 22, Deno, Bun),
// else `ws`. transport.browser.ts replaces this file in the browser build, so `ws` never
// reaches a bundle.
import WebSocket from "ws";
import { toFactory, type WebSocketFactory } from "./webSocketLike.js";

// A sequenceAck is written at once, with whatever is held before it: it is sent while a
// burst of messages is being read, and the service counts every message it has not seen
// acked (docs/protocol.md#reliable-protocol), so holding it to the end of the burst could pass
// the service's limit. The client writes `type` first.
const URGENT = '{"type":"sequenceAck"';
// Text up to this many UTF-16 units (at most 3 bytes each in UTF-8) is framed here, so a
// payload always fits a 2-byte length; longer frames, rare, go through `ws` itself.
const MAX_FRAMED_CHARS = 16 * 1024;
const SLAB_BYTES = 64 * 1024;
// Held frames leave without waiting for the end of the tick once they reach this size: the
// service starts on the first of them while the rest are built (with 64 sends in flight,
// their acks arrive together and the next 64 sends are made in one tick). Measured against
// the emulator: about 1.2x the acked sends per second of one write per tick, at the same CPU.
const EARLY_WRITE_BYTES = 2048;
// Frames are built into one slab shared by every socket (an idle socket holds none), appended
// at its end: bytes handed to a socket are never written again.
let slab = Buffer.allocUnsafe(0);
let slabUsed = 0;
// Masks come from a pool of random bytes refilled as it runs out (`ws` does the same): RFC
// 6455 wants a fresh unpredictable mask per frame, and one getRandomValues call per frame
// would cost more than the rest of the frame.
const MASK_POOL_BYTES = 8 * 1024;
const maskPool = new Uint8Array(MASK_POOL_BYTES);
let maskAt = MASK_POOL_BYTES;

// Validates text only when decoding it produced a replacement character (see #readFrames).
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

type WriteCallback = (error?: Error | null) => void;

/** The parts of a `ws` Receiver read here; see #readFrames. */
interface WsReceiver {
  _write(chunk: Buffer, encoding: string, callback: WriteCallback): void;
  _state?: number;
  _bufferedBytes?: number;
  _fragmented?: number;
  _errored?: boolean;
  _opcode?: number;
}

/** The parts of a `ws` WebSocket read here (internal: checked, with `ws`'s own path as fallback). */
interface WsInternals {
  _socket?: { cork(): void; uncork(): void; write(chunk: Uint8Array): boolean; destroyed: boolean } | null;
  _extensions?: Record<string, unknown>;
  _sender?: { _state?: number } | null;
  _receiver?: WsReceiver | null;
}

/**
 * `ws`, with the frames sent in one tick written to the socket together. `ws` frames each
 * message into a header and a payload buffer and writes both through the socket's stream,
 * so 64 small frames become 128 buffers and one writev of 128 pieces, which costs more than
 * building the frames. Here a text frame (no extension negotiated, as with the service) is
 * built straight into a slab: the tick's frames leave as one buffer in one write (or one
 * per 2 KiB, see EARLY_WRITE_BYTES). Anything
 * else (binary, an extension such as permessage-deflate, very long text) goes through `ws`
 * after what is held, corked until the end of the tick.
 *
 * Receiving, whole text frames at the start of what the socket read are decoded here and
 * emitted as `message` with a string (not a Buffer) while `ws`'s receiver has nothing
 * pending; the rest (control, binary, fragmented, compressed or split frames, bad UTF-8) goes
 * to `ws`'s receiver as usual.
 */
export class BatchingWebSocket extends WebSocket {
  #corked = false;
  /** Frames [#start, #end) of #slab (the shared slab, or one before it) wait for the end of the tick. */
  #slab: Buffer | undefined;
  #start = 0;
  #end = 0;
  #flushQueued = false;
  /** No extension was negotiated, so frames can be built here; known once open. */
  #plain: boolean | undefined;
  readonly #flushAtTickEnd = (): void => {
    this.#flushQueued = false;
    this.#flush();
    this.#slab = undefined;
  };

  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    // `open` is emitted once `ws` has its receiver, before any frame is read.
    this.once("open", () => {
      const receiver = (this as unknown as WsInternals)._receiver;
      if (!receiver || typeof receiver._write !== "function") return;
      const write = receiver._write;
      receiver._write = (chunk, encoding, callback) => {
        const used = this.#readFrames(receiver, chunk);
        if (used === chunk.length) return callback();
        write.call(receiver, used ? chunk.subarray(used) : chunk, encoding, callback);
      };
    });
  }

  // `any`: ws declares send() with two overloads, and this only passes them through.
  override send(data: Parameters<WebSocket["send"]>[0], ...rest: any[]): void {
    const ws = this as unknown as WsInternals;
    if (typeof data === "string" && !rest.length && data.length <= MAX_FRAMED_CHARS && this.readyState === 1 && ws._socket && this.#isPlain(ws)) {
      this.#frame(data);
      if (data.startsWith(URGENT) || this.#end - this.#start >= EARLY_WRITE_BYTES) this.#flush();
      else if (!this.#flushQueued) {
        this.#flushQueued = true;
        process.nextTick(this.#flushAtTickEnd);
      }
      return;
    }
    // Through `ws`, after the frames held here.
    this.#flush();
    const socket = ws._socket;
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

  /** Writes the frames held for this tick before the close frame. */
  override close(code?: number, reason?: string | Buffer): void {
    this.#flush();
    super.close(code, reason);
  }

  /**
   * Emits the whole unmasked text frames at the start of `chunk` (FIN set, no extension
   * bit, at most 64 KiB) and returns how many bytes they took; 0 unless `ws`'s receiver is
   * idle (nothing buffered, no fragmented message, no error, no close frame read).
   */
  #readFrames(receiver: WsReceiver, chunk: Buffer): number {
    if (receiver._state !== 0 || receiver._bufferedBytes !== 0 || receiver._fragmented !== 0 || receiver._errored !== false || receiver._opcode === 8) {
      return 0;
    }
    const size = chunk.length;
    let at = 0;
    while (at + 2 <= size && chunk[at] === 0x81) {
      let length = chunk[at + 1]!;
      let start = at + 2;
      if (length === 126) {
        if (start + 2 > size) break;
        length = (chunk[start]! << 8) | chunk[start + 1]!;
        start += 2;
      } else if (length > 126) break; // a 64-bit length, or masked (a protocol error `ws` reports)
      const end = start + length;
      if (end > size) break;
      const text = chunk.toString(undefined, start, end);
      // Invalid UTF-8 decodes to U+FFFD; `ws` then fails the connection (1007) as it should.
      if (text.includes("\ufffd") && !isUtf8(chunk.subarray(start, end))) break;
      at = end;
      this.emit("message", text, false);
    }
    return at;
  }

  #isPlain(ws: WsInternals): boolean {
    // `_sender._state` 0: `ws` holds no frame of its own (it queues while compressing).
    return (this.#plain ??= ws._extensions !== undefined && Object.keys(ws._extensions).length === 0) && ws._sender?._state === 0;
  }

  /** Appends one masked text frame (FIN set) to the slab. */
  #frame(text: string): void {
    const room = text.length * 3 + 8;
    // Held frames must stay one run of bytes: when another socket appended after them, or
    // the slab is full, they leave now and this frame starts a new run.
    if (this.#slab !== slab || this.#end !== slabUsed || slabUsed + room > slab.length) {
      this.#flush();
      if (slabUsed + room > slab.length) {
        slab = Buffer.allocUnsafe(SLAB_BYTES);
        slabUsed = 0;
      }
      this.#slab = slab;
      this.#start = this.#end = slabUsed;
    }
    const at = this.#end;
    // The header is 6 bytes up to 125 payload bytes, else 8; the length is known once the
    // text is written, so a guess from the UTF-16 length is moved when it was wrong.
    let head = text.length > 125 ? 8 : 6;
    const length = slab.write(text, at + head);
    if (head === 6 && length > 125) {
      slab.copyWithin(at + 8, at + 6, at + 6 + length);
      head = 8;
    }
    slab[at] = 0x81; // FIN, text
    if (head === 6) slab[at + 1] = 0x80 | length;
    else {
      slab[at + 1] = 0x80 | 126;
      slab[at + 2] = length >> 8;
      slab[at + 3] = length & 0xff;
    }
    if (maskAt === MASK_POOL_BYTES) {
      crypto.getRandomValues(maskPool);
      maskAt = 0;
    }
    const m0 = (slab[at + head - 4] = maskPool[maskAt++]!);
    const m1 = (slab[at + head - 3] = maskPool[maskAt++]!);
    const m2 = (slab[at + head - 2] = maskPool[maskAt++]!);
    const m3 = (slab[at + head - 1] = maskPool[maskAt++]!);
    let i = at + head;
    const end = i + length;
    for (; i + 3 < end; i += 4) {
      slab[i]! ^= m0;
      slab[i + 1]! ^= m1;
      slab[i + 2]! ^= m2;
      slab[i + 3]! ^= m3;
    }
    if (i < end) slab[i++]! ^= m0;
    if (i < end) slab[i++]! ^= m1;
    if (i < end) slab[i]! ^= m2;
    slabUsed = this.#end = end;
  }

  /** Hands the held frames to the socket in one write. */
  #flush(): void {
    if (this.#end === this.#start) return;
    const chunk = this.#slab!.subarray(this.#start, this.#end);
    this.#start = this.#end;
    const socket = (this as unknown as WsInternals)._socket;
    // A socket destroyed meanwhile drops them, as it drops what `ws` had corked.
    if (socket && !socket.destroyed) socket.write(chunk);
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The WebSocket implementation used when the caller passes none. */
export function defaultWebSocketFactory(): WebSocketFactory {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  return toFactory((typeof native === "function" ? native : BatchingWebSocket) as never);
}
