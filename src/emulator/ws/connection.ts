// One logical client connection. For the reliable protocol it outlives its socket:
// a dropped socket leaves it "detached" for the recovery window, still in its groups and
// still buffering, until the client recovers with a new socket or the window ends.
// What goes on the wire is the protocol's business (protocol.ts); this file owns the socket.
import { randomBytes } from "node:crypto";
import { WebSocket, type RawData } from "ws";
import { CloseCode } from "../../core/index.js";
import type { DisconnectedEvent } from "../events.js";
import { Permissions } from "../permissions.js";
import type { Runtime } from "../runtime.js";
import type { HubState } from "../state/index.js";
import type { UpstreamContext } from "../upstream/index.js";
import { AckMemory } from "./ackMemory.js";
import { FrameWriter } from "./frameWriter.js";
import { InboundQueue } from "./inboundQueue.js";
import type { OutboundMessage } from "./message.js";
import type { Protocol, ProtocolHost, RawPublish } from "./protocol.js";

/**
 * Unsent bytes allowed in a socket's buffer before a slow client is dropped instead of
 * growing memory. It holds for reliable clients too: their acks say nothing about what
 * still sits in the socket (docs/protocol.md#limits).
 */
export const MAX_OUTBOUND_BYTES = 16 * 1024 * 1024;

/** What a new connection starts with. */
export interface ConnectionInit {
  id: string;
  hub: HubState<ClientConnection>;
  userId: string | null;
  subprotocol: string | null;
  roles: readonly string[];
  origin: string;
  connectionState?: string | undefined;
  /** Raw clients in `webpubsub_mode=sendToGroup` publish every frame to this group (docs/protocol.md#plain-websocket). */
  rawPublish?: RawPublish | undefined;
}

/** Creates a random connection id. */
export function newConnectionId(): string {
  return randomBytes(15).toString("base64url");
}

/** A connected (or, for reliable, recoverable) client. */
export class ClientConnection implements ProtocolHost {
  readonly id: string;
  readonly hub: HubState<ClientConnection>;
  readonly userId: string | null;
  readonly subprotocol: string | null;
  readonly origin: string;
  readonly groups = new Set<string>();
  readonly permissions: Permissions;
  readonly runtime: Runtime;
  readonly protocol: Protocol;
  connectionState: string | undefined;
  state: "open" | "detached" | "closed" = "open";
  socket: WebSocket | null = null;
  /** Opaque secret that lets the client recover (reliable only). */
  readonly reconnectionToken: string | undefined;
  /** Set for raw clients in sendToGroup mode. */
  readonly rawPublish: RawPublish | undefined;
  /** Frames received from the client (pings and acks included). Plain counters: cheap enough to keep always. */
  messagesIn = 0;
  /** Messages delivered to the client (control frames not counted). */
  messagesOut = 0;

  // Accept order of the socket that carries the session (see recover()).
  private socketOrder = 0;
  // Recovery sockets that have not yet shown a live client, by accept order. This and the
  // ackId memory are created on first use: most connections never need them, and idle ones
  // are many.
  private candidates: Map<WebSocket, { order: number; settle: () => void }> | undefined;
  // ackIds already processed; kept across recovery (docs/protocol.md#acks).
  private acks: AckMemory | undefined;
  // Frames of this tick for the socket, written together (see FrameWriter).
  private writer: FrameWriter | undefined;
  private readonly inbound: InboundQueue;
  private recoveryTimer: NodeJS.Timeout | undefined;
  // Set while close() runs, so the farewell it sends cannot start another close.
  private closing = false;

  constructor(init: ConnectionInit, runtime: Runtime, makeProtocol: (host: ProtocolHost) => Protocol) {
    this.id = init.id;
    this.hub = init.hub;
    this.userId = init.userId;
    this.subprotocol = init.subprotocol;
    this.origin = init.origin;
    this.connectionState = init.connectionState;
    this.runtime = runtime;
    this.permissions = new Permissions(init.roles, (role, why) =>
      runtime.log(`[${init.hub.name}] connection ${init.id}: ignoring role '${role}': ${why}`, "warn"),
    );
    this.protocol = makeProtocol(this);
    this.rawPublish = this.protocol.kind === "plain" ? init.rawPublish : undefined;
    if (this.protocol.kind === "reliable") this.reconnectionToken = randomBytes(32).toString("base64url");
    this.inbound = new InboundQueue({
      pause: () => this.socket?.pause(),
      resume: () => this.socket?.resume(),
      overflow: (frames) => {
        this.runtime.log(`[${this.hub.name}] connection ${this.id}: ${frames} messages wait for the event handler; closing`, "warn");
        this.close(CloseCode.PolicyViolation, "Too many messages are waiting for the event handler.");
      },
      failed: (err) => this.handlerFailed(err),
    });
  }

  /** The upstream context of this connection. */
  context(): UpstreamContext {
    const ctx: UpstreamContext = {
      hub: this.hub.name,
      connectionId: this.id,
      userId: this.userId,
      subprotocol: this.subprotocol,
      origin: this.origin,
    };
    if (this.connectionState !== undefined) ctx.connectionState = this.connectionState;
    return ctx;
  }

  /**
   * Binds a socket (first connect or recovery); a recovery replays unacked messages in order.
   * `order` is the socket's accept order (see recover()).
   */
  attach(ws: WebSocket, order: number): void {
    const old = this.socket;
    this.socket = ws;
    this.writer = new FrameWriter(ws);
    this.socketOrder = order;
    // The old socket's close event must not end the session it no longer carries.
    if (old && old !== ws) old.terminate();
    this.state = "open";
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    ws.on("message", (data, isBinary) => this.onFrame(ws, data, isBinary));
    ws.on("close", (code) => this.onSocketClose(ws, code));
    // 'close' always follows 'error'; the listener only keeps ws from throwing.
    ws.on("error", () => undefined);
    if (this.inbound.isPaused) ws.pause();
    this.protocol.attached();
  }

  /**
   * Offers a recovery socket (token already checked). A client that gave up on a slow
   * upgrade opens another, and the abandoned one may still be accepted later: it must not
   * take the session from the client's live socket (issue 13, soak run B). So a socket
   * accepted before the one carrying the session is refused at once, and any other carries
   * it only once the client answers a ping (or sends a frame) on it, which an abandoned or
   * half-open upgrade never does. Of two live recoveries the later accepted one wins.
   */
  recover(ws: WebSocket, order: number): void {
    ws.on("error", () => undefined);
    if (this.state === "closed" || order <= this.socketOrder) {
      this.refuseRecovery(ws, this.state === "closed" ? "the connection is closed" : "a newer socket carries the connection");
      return;
    }
    const onPong = () => this.recoveryProven(ws);
    const onMessage = (data: RawData, isBinary: boolean) => {
      this.recoveryProven(ws);
      // Listeners added while 'message' is emitted miss this frame: hand it on here.
      this.onFrame(ws, data, isBinary);
    };
    const onClose = () => settle();
    // Unproven for a whole recovery window: nobody is reading this socket.
    const timer = setTimeout(() => {
      settle();
      this.refuseRecovery(ws, "the client did not answer on the recovery socket");
    }, this.runtime.recoveryWindowMs);
    timer.unref();
    const settle = () => {
      clearTimeout(timer);
      ws.off("pong", onPong);
      ws.off("message", onMessage);
      ws.off("close", onClose);
      this.candidates?.delete(ws);
    };
    (this.candidates ??= new Map()).set(ws, { order, settle });
    ws.on("pong", onPong);
    ws.on("message", onMessage);
    ws.on("close", onClose);
    ws.ping();
  }

  // The client answered on a recovery socket: it carries the session if nothing newer does.
  private recoveryProven(ws: WebSocket): void {
    const candidate = this.candidates?.get(ws);
    if (!candidate) return;
    candidate.settle();
    if (this.state === "closed" || candidate.order <= this.socketOrder) {
      this.refuseRecovery(ws, this.state === "closed" ? "the connection is closed" : "a newer socket carries the connection");
      return;
    }
    this.attach(ws, candidate.order);
    this.runtime.emit({ type: "recovered", hub: this.hub.name, connectionId: this.id });
    for (const [other, pending] of [...(this.candidates ?? [])]) {
      if (pending.order >= candidate.order) continue;
      pending.settle();
      this.refuseRecovery(other, "a newer socket carries the connection");
    }
  }

  private refuseRecovery(ws: WebSocket, why: string): void {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      ws.close(CloseCode.PolicyViolation, "The connection cannot be recovered.");
    }
    this.runtime.emit({ type: "handshakeRefused", hub: this.hub.name, status: CloseCode.PolicyViolation, reason: `recovery refused: ${why}`, why, connectionId: this.id });
  }

  /** Delivers a message in this connection's wire format. */
  deliver(msg: OutboundMessage): void {
    if (this.state === "closed") return;
    this.messagesOut++;
    this.protocol.deliver(msg);
  }

  /** Writes one frame; a client whose socket buffer is over the bound is dropped. */
  send(frame: string | Buffer): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const writer = this.writer!;
    // The farewell frame of a close goes out whatever the buffer holds: it is the last one.
    if (ws.bufferedAmount + writer.pendingBytes > MAX_OUTBOUND_BYTES && !this.closing) {
      this.close(CloseCode.PolicyViolation, "The outbound queue is full.");
      return;
    }
    writer.send(frame);
  }

  /** True when this ackId was already processed on this connection. */
  hasAcked(ackId: number): boolean {
    return this.acks?.has(ackId) ?? false;
  }

  /** Records a processed ackId, forgetting the oldest past MAX_REMEMBERED_ACKS. */
  rememberAck(ackId: number): void {
    (this.acks ??= new AckMemory()).remember(ackId);
  }

  /** True when no earlier frame's work is waiting (see InboundQueue). */
  get inboundIdle(): boolean {
    return this.inbound.idle;
  }

  /** Runs a frame's work after every earlier frame of this connection (see InboundQueue). */
  enqueue(task: () => Promise<void> | void, size = 0, waitsForUpstream = false): void {
    this.inbound.run(task, size, waitsForUpstream);
  }

  /**
   * Service-initiated close: the protocol's farewell first, then the close frame. The
   * session ends, so a later recovery is refused.
   */
  close(code: number, reason: string): void {
    if (this.state === "closed" || this.closing) return;
    this.closing = true;
    const ws = this.socket;
    if (ws && ws.readyState === WebSocket.OPEN) {
      this.protocol.farewell(reason);
      ws.close(code, truncateUtf8(reason, 123));
    }
    this.finish(reason, code);
  }

  /** Drops the socket without any event, for emulator shutdown. */
  terminate(): void {
    clearTimeout(this.recoveryTimer);
    this.dropCandidates((ws) => ws.terminate());
    this.state = "closed";
    this.socket?.terminate();
    this.socket = null;
  }

  private dropCandidates(end: (ws: WebSocket) => void): void {
    for (const [ws, pending] of [...(this.candidates ?? [])]) {
      pending.settle();
      end(ws);
    }
  }

  private onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (this.socket !== ws || this.state !== "open") return;
    this.messagesIn++;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    try {
      this.protocol.receive(bytes, isBinary);
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  // A bug in a handler must cost one connection, never the process (ws rethrows listener
  // errors), and must not leave the client waiting for an ack that never comes.
  private handlerFailed(err: unknown): void {
    this.runtime.log(`[${this.hub.name}] connection ${this.id}: frame handler failed: ${describe(err)}`, "warn");
    this.close(CloseCode.InternalError, "The emulator failed to handle the message.");
  }

  private onSocketClose(ws: WebSocket, code: number): void {
    if (this.socket !== ws) return;
    this.socket = null;
    if (this.state !== "open") return;
    // No close frame means the network dropped, so a reliable client may come back.
    if (this.protocol.kind === "reliable" && code === CloseCode.Abnormal && !this.runtime.closing) {
      this.state = "detached";
      const window = this.runtime.recoveryWindowMs;
      this.runtime.emit({ type: "detached", hub: this.hub.name, connectionId: this.id, recoveryWindowMs: window });
      this.recoveryTimer = setTimeout(() => this.finish("The connection was not recovered in time."), window);
      this.recoveryTimer.unref();
      return;
    }
    this.finish(code === CloseCode.Abnormal ? "The connection was lost." : `Closed by the client (${code}).`);
  }

  // Final cleanup: indexes, upstream `disconnected` (once), the `disconnected` event.
  private finish(reason: string, closeCode?: number): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.recoveryTimer);
    this.dropCandidates((ws) => this.refuseRecovery(ws, "the connection is closed"));
    this.hub.remove(this);
    if (this.runtime.closing) return;
    const event: Omit<DisconnectedEvent, "time"> = { type: "disconnected", hub: this.hub.name, connectionId: this.id, reason };
    if (closeCode !== undefined) event.closeCode = closeCode;
    this.runtime.emit(event);
    this.runtime.upstream.disconnected(this.context(), reason);
  }
}

/** The longest prefix of `text` that fits `maxBytes` UTF-8 bytes (a close frame reason holds 123). */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 unit takes at least one UTF-8 byte, so only the first maxBytes units can fit:
  // cutting there first keeps the loop short for a long REST `reason`.
  let out = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
