// A raw WebSocket client on a loopback socket: the handshake by hand, then any bytes at all,
// so the fuzzer can send frames a real client library never would. Server frames are parsed
// to see how the emulator answered (close code, messages).
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/** How one raw WebSocket session ended. */
export interface RawWsOutcome {
  /** HTTP status of the handshake (101 when upgraded). */
  handshakeStatus: number;
  /** Handshake answer body when refused. */
  handshakeBody: string;
  /** Close code the server sent, if a close frame arrived. */
  closeCode: number | undefined;
  closeReason: string;
  /** Text messages the server sent after the upgrade. */
  messages: string[];
  /** The server ended the TCP connection (FIN) or it was reset (`reset`). */
  ended: boolean;
  reset: string | undefined;
  /** Every byte received, for the secret scan. */
  raw: Buffer;
}

/** Builds one client frame (masked unless `mask` is false). Lengths and flags are not checked. */
export function frame(
  opcode: number,
  payload: Buffer | string,
  options: { fin?: boolean; rsv?: number; mask?: boolean; declaredLength?: number | bigint } = {},
): Buffer {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  const fin = options.fin ?? true;
  const mask = options.mask ?? true;
  const length = options.declaredLength ?? data.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (opcode & 0x0f)];
  let ext = Buffer.alloc(0);
  if (typeof length === "bigint" || length > 0xffff) {
    head.push((mask ? 0x80 : 0) | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(length));
  } else if (length > 125) {
    head.push((mask ? 0x80 : 0) | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(length);
  } else {
    head.push((mask ? 0x80 : 0) | length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, data]);
  const key = randomBytes(4);
  const masked = Buffer.from(data);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

/** A close frame with `code` (and reason bytes). */
export function closeFrame(code: number, reason: Buffer | string = ""): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return frame(0x8, Buffer.concat([body, Buffer.isBuffer(reason) ? reason : Buffer.from(reason)]));
}

/** Options of one raw session. */
export interface RawWsSession {
  port: number;
  /** Path and query, e.g. `/client/hubs/h?access_token=…`. */
  target: string;
  subprotocol: string | null;
  /** Extra or replacing handshake headers (name → value; null removes). */
  headers?: Record<string, string | null>;
  /** Written after the upgrade (after the `connected` message on JSON protocols). */
  send: Buffer[];
  /** How long to watch after sending. Default 600 ms. */
  watchMs?: number;
}

/** Runs one raw session and reports what the server did. Never throws. */
export function rawWebSocket(session: RawWsSession): Promise<RawWsOutcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ port: session.port, host: "127.0.0.1", allowHalfOpen: true });
    const outcome: RawWsOutcome = {
      handshakeStatus: 0,
      handshakeBody: "",
      closeCode: undefined,
      closeReason: "",
      messages: [],
      ended: false,
      reset: undefined,
      raw: Buffer.alloc(0),
    };
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let sent = false;
    let done = false;
    const watchMs = session.watchMs ?? 600;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(finish, watchMs + 5_000);
    const sendPayload = (): void => {
      if (sent) return;
      sent = true;
      for (const chunk of session.send) if (!socket.destroyed) socket.write(chunk);
      setTimeout(finish, watchMs);
    };
    socket.on("connect", () => {
      const headers: Record<string, string | null> = {
        Host: `127.0.0.1:${session.port}`,
        Upgrade: "websocket",
        Connection: "Upgrade",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        "Sec-WebSocket-Version": "13",
        ...(session.subprotocol ? { "Sec-WebSocket-Protocol": session.subprotocol } : {}),
        ...session.headers,
      };
      const lines = [`GET ${session.target} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) if (v !== null) lines.push(`${k}: ${v}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    socket.on("data", (d: Buffer) => {
      outcome.raw = Buffer.concat([outcome.raw, d]);
      buffer = Buffer.concat([buffer, d]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        outcome.handshakeStatus = Number(/^HTTP\/1\.1 (\d{3})/.exec(buffer.subarray(0, end).toString("latin1"))?.[1] ?? 0);
        if (outcome.handshakeStatus !== 101) {
          outcome.handshakeBody = buffer.subarray(end + 4).toString("utf8");
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        // Plain WebSockets get no `connected` message: send at once.
        if (!session.subprotocol?.startsWith("json.")) sendPayload();
      }
      readFrames();
    });
    const readFrames = (): void => {
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = buffer[0]! & 0x0f;
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 0x1) {
          const text = payload.toString("utf8");
          outcome.messages.push(text);
          if (text.includes('"connected"')) sendPayload();
        } else if (opcode === 0x8) {
          outcome.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          outcome.closeReason = payload.subarray(2).toString("utf8");
          // Answer the close as a well-behaved peer, then stop watching.
          if (!socket.destroyed) socket.end(closeFrame(outcome.closeCode === 1005 ? 1000 : outcome.closeCode));
        }
      }
    };
    socket.on("end", () => {
      outcome.ended = true;
      if (!upgraded || outcome.closeCode !== undefined) finish();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      outcome.reset = err.code ?? err.message;
    });
    socket.on("close", finish);
  });
}
