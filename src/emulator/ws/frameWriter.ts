// Writes one connection's data frames: the frames of one tick (the acks of one TCP read, a
// burst of fan-out) are framed into one buffer and leave in one write. Going through
// ws.send instead costs, per frame, a header buffer, two stream writes and two chunks of a
// writev, which is more than the emulator's own handling of an acked request.
//
// ws still writes its own frames (close, ping, pong) straight to the socket, and a close
// frame must not overtake data frames accepted before it: the socket's write and end are
// wrapped, so anything ws writes first flushes the frames waiting here. Server frames are
// never masked, and the endpoint turns permessage-deflate off, so the framing is the
// plain RFC 6455 header; a socket that did negotiate an extension goes through ws.send.
import type { Socket } from "node:net";
import type { WebSocket } from "ws";

// Frames above this many bytes are written as they are rather than copied into the batch.
const COPY_LIMIT = 64 * 1024;
const FIN_TEXT = 0x81;
const FIN_BINARY = 0x82;

// The socket methods ws calls, before this file wraps them; and the writer of a wrapped socket.
const streamWrite = Symbol("streamWrite");
const streamEnd = Symbol("streamEnd");
const writerOf = Symbol("frameWriter");
type WrappedSocket = Socket & {
  [streamWrite]: Socket["write"];
  [streamEnd]: Socket["end"];
  [writerOf]: FrameWriter;
};

// Shared by every wrapped socket (no closure per connection): flush, then do what ws asked.
function writeAfterFrames(this: WrappedSocket, ...args: Parameters<Socket["write"]>): boolean {
  this[writerOf].flush();
  return this[streamWrite].apply(this, args);
}
function endAfterFrames(this: WrappedSocket, ...args: Parameters<Socket["end"]>): Socket {
  this[writerOf].flush();
  return this[streamEnd].apply(this, args);
}

// Writers with frames waiting, flushed together at the end of the tick: a fan-out to
// thousands of sockets schedules one callback, not one each.
let waiting: FrameWriter[] = [];
function flushWaiting(): void {
  const writers = waiting;
  waiting = [];
  for (const writer of writers) {
    try {
      writer.flush();
    } catch (err) {
      // Never expected; if it happens it costs that one socket, not the others or the process.
      writer.fail(err);
    }
  }
}

/** A socket's frames of the current tick, written together. */
export class FrameWriter {
  // Created on the first frame of a tick: an idle connection holds no arrays.
  private frames: (string | Buffer)[] | undefined;
  private sizes: number[] | undefined;
  private bytes = 0;
  private readonly socket: WrappedSocket | undefined;

  constructor(private readonly ws: WebSocket) {
    const socket = (ws as unknown as { _socket?: WrappedSocket })._socket;
    if (!socket || ws.extensions !== "") return;
    this.socket = socket;
    // Own properties shadow the stream's methods for this socket only.
    socket[streamWrite] = socket.write;
    socket[streamEnd] = socket.end;
    socket[writerOf] = this;
    socket.write = writeAfterFrames as WrappedSocket["write"];
    socket.end = endAfterFrames as WrappedSocket["end"];
  }

  /** Bytes accepted this tick and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Queues a text (string) or binary (Buffer) frame for the end of this tick. */
  send(frame: string | Buffer): void {
    if (this.socket === undefined) {
      this.ws.send(frame);
      return;
    }
    const size = typeof frame === "string" ? Buffer.byteLength(frame) : frame.length;
    if (this.frames === undefined) {
      this.frames = [frame];
      this.sizes = [size];
      if (waiting.length === 0) process.nextTick(flushWaiting);
      waiting.push(this);
    } else {
      this.frames.push(frame);
      this.sizes!.push(size);
    }
    this.bytes += size;
  }

  /** Ends the socket after a failed flush. */
  fail(err: unknown): void {
    this.socket?.destroy(err instanceof Error ? err : new Error(String(err)));
  }

  /** Hands the queued frames to the socket (at the end of the tick, or before ws writes). */
  flush(): void {
    const frames = this.frames;
    if (frames === undefined) return;
    const sizes = this.sizes!;
    this.frames = undefined;
    this.sizes = undefined;
    this.bytes = 0;
    const socket = this.socket!;
    // Frames accepted while the socket was open die with it, as ws.send's would.
    if (socket.destroyed || socket.writableEnded) return;
    const write = socket[streamWrite];
    let total = 0;
    let large = false;
    for (const size of sizes) {
      if (size < COPY_LIMIT) total += headerLength(size) + size;
      else large = true;
    }
    // Several writes (only with a large frame) still leave in one system call.
    if (large) socket.cork();
    let batch = total > 0 ? Buffer.allocUnsafe(total) : undefined;
    let at = 0;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const size = sizes[i]!;
      const first = typeof frame === "string" ? FIN_TEXT : FIN_BINARY;
      if (size < COPY_LIMIT) {
        at = writeHeader(batch!, at, first, size);
        at += typeof frame === "string" ? batch!.write(frame, at, size, "utf8") : frame.copy(batch!, at);
        continue;
      }
      // A large frame is not copied: what is batched before it goes first, then its header and it.
      if (at > 0) {
        write.call(socket, batch!.subarray(0, at));
        batch = batch!.subarray(at);
        at = 0;
      }
      const header = Buffer.allocUnsafe(headerLength(size));
      writeHeader(header, 0, first, size);
      write.call(socket, header);
      write.call(socket, frame);
    }
    if (at > 0) write.call(socket, batch!.length === at ? batch! : batch!.subarray(0, at));
    if (large) socket.uncork();
  }
}

// RFC 6455 section 5.2: 7-bit length, or 126 and 16 bits, or 127 and 64 bits; no mask.
function headerLength(size: number): number {
  return size < 126 ? 2 : size < 65536 ? 4 : 10;
}

function writeHeader(target: Buffer, at: number, first: number, size: number): number {
  target[at] = first;
  if (size < 126) {
    target[at + 1] = size;
    return at + 2;
  }
  if (size < 65536) {
    target[at + 1] = 126;
    target.writeUInt16BE(size, at + 2);
    return at + 4;
  }
  target[at + 1] = 127;
  target.writeUInt32BE(Math.floor(size / 2 ** 32), at + 2);
  target.writeUInt32BE(size >>> 0, at + 6);
  return at + 10;
}
