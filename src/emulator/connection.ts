// One logical client connection. For the reliable protocol it outlives its socket:
// a dropped socket leaves it "detached" for the recovery window, still in its groups and
// still buffering, until the client recovers with a new socket or the window ends.
import { randomBytes } from "node:crypto";
import { WebSocket, type RawData } from "ws";
import type { HubState } from "./hubState.js";
import { handleJsonFrame } from "./jsonProtocol.js";
import type { OutboundMessage } from "./message.js";
import { Permissions } from "./permissions.js";
import { ReplayBuffer } from "./reliable.js";
import type { Runtime } from "./runtime.js";
import { handleSimpleFrame } from "./simpleProtocol.js";
import type { UpstreamContext } from "./upstream/index.js";

/** The JSON subprotocol. */
export const JSON_PROTOCOL = "json.webpubsub.azure.v1";
/** The reliable JSON subprotocol. */
export const RELIABLE_PROTOCOL = "json.reliable.webpubsub.azure.v1";

/** How frames are read and written: raw frames, JSON, or JSON with sequence ids and recovery. */
export type ProtocolKind = "simple" | "json" | "reliable";

/** Maps a negotiated subprotocol to its kind; anything unknown is simple (raw) mode. */
export function protocolKind(subprotocol: string | null): ProtocolKind {
  if (subprotocol === JSON_PROTOCOL) return "json";
  if (subprotocol === RELIABLE_PROTOCOL) return "reliable";
  return "simple";
}

// Retries come soon after a drop, so a long-lived connection need not remember every ackId.
const MAX_REMEMBERED_ACKS = 10_000;

// Past this much unsent data a slow client is dropped instead of growing memory.
const MAX_OUTBOUND_BYTES = 16 * 1024 * 1024;
// Frames waiting behind a slow event handler; past either bound the client is cut off
// rather than letting one fast sender grow the process without limit.
const MAX_PENDING_FRAMES = 1000;
const MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** What a new connection starts with. */
export interface ConnectionInit {
  id: string;
  hub: HubState;
  userId: string | null;
  subprotocol: string | null;
  roles: readonly string[];
  origin: string;
  connectionState?: string | undefined;
  /** Raw clients in `webpubsub_mode=sendToGroup` publish every frame to this group ([emu], §2.3). */
  rawPublish?: RawPublish | undefined;
}

/** Where a raw client in sendToGroup mode publishes. */
export interface RawPublish {
  group: string;
  noEcho: boolean;
}

/** Creates a random connection id. */
export function newConnectionId(): string {
  return randomBytes(15).toString("base64url");
}

/** A connected (or, for reliable, recoverable) client. */
export class ClientConnection {
  readonly id: string;
  readonly hub: HubState;
  readonly userId: string | null;
  readonly subprotocol: string | null;
  readonly kind: ProtocolKind;
  readonly origin: string;
  readonly groups = new Set<string>();
  readonly permissions: Permissions;
  /** ackIds already processed; kept across recovery (§2.6). Use {@link rememberAck}. */
  readonly ackIds = new Set<number>();
  connectionState: string | undefined;
  state: "open" | "detached" | "closed" = "open";
  socket: WebSocket | null = null;
  readonly replay: ReplayBuffer | undefined;
  /** Opaque secret that lets the client recover (reliable only). */
  readonly reconnectionToken: string | undefined;
  /** Set for raw clients in sendToGroup mode. */
  readonly rawPublish: RawPublish | undefined;

  private readonly runtime: Runtime;
  private recoveryTimer: NodeJS.Timeout | undefined;
  // Frames are handled one after another so acks and handler replies keep their order.
  private inbound: Promise<void> = Promise.resolve();
  private pendingFrames = 0;
  private pendingBytes = 0;

  constructor(init: ConnectionInit, runtime: Runtime) {
    this.id = init.id;
    this.hub = init.hub;
    this.userId = init.userId;
    this.subprotocol = init.subprotocol;
    this.kind = protocolKind(init.subprotocol);
    this.origin = init.origin;
    this.connectionState = init.connectionState;
    this.rawPublish = this.kind === "simple" ? init.rawPublish : undefined;
    this.runtime = runtime;
    this.permissions = new Permissions(init.roles, (role, why) =>
      runtime.log(`[${init.hub.name}] connection ${init.id}: ignoring role '${role}': ${why}`),
    );
    if (this.kind === "reliable") {
      this.replay = new ReplayBuffer();
      this.reconnectionToken = randomBytes(32).toString("base64url");
    }
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

  /** Binds a socket (first connect or recovery); a recovery replays unacked messages in order. */
  attach(ws: WebSocket): void {
    const old = this.socket;
    this.socket = ws;
    // The old socket's close event must not end the session it no longer carries.
    if (old && old !== ws) old.terminate();
    this.state = "open";
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    ws.on("message", (data, isBinary) => this.onFrame(ws, data, isBinary));
    ws.on("close", (code) => this.onSocketClose(ws, code));
    // 'close' always follows 'error'; the listener only keeps ws from throwing.
    ws.on("error", () => undefined);
    if (this.replay) for (const frame of this.replay.unacked()) this.sendFrame(frame);
  }

  /** Delivers a message in this connection's wire format. */
  deliver(msg: OutboundMessage): void {
    if (this.state === "closed") return;
    if (this.kind === "simple") return this.sendFrame(msg.raw);
    if (!this.replay) return this.sendFrame(`{${msg.jsonTail}`);
    const frame = this.replay.push(msg.jsonTail, msg.byteLength);
    if (this.replay.overflowed) {
      this.close(1008, "Too many unacknowledged messages; the connection cannot be recovered.");
      return;
    }
    this.sendFrame(frame);
  }

  /** Sends a frame that is not sequenced (ack, pong, system). */
  sendControl(message: object): void {
    if (this.state !== "closed") this.sendFrame(JSON.stringify(message));
  }

  /** Records a processed ackId, forgetting the oldest past MAX_REMEMBERED_ACKS. */
  rememberAck(ackId: number): void {
    this.ackIds.add(ackId);
    if (this.ackIds.size > MAX_REMEMBERED_ACKS) this.ackIds.delete(this.ackIds.values().next().value as number);
  }

  /** Releases reliable messages up to `sequenceId`. */
  acknowledge(sequenceId: number): void {
    this.replay?.ack(sequenceId);
  }

  /**
   * Service-initiated close: `system/disconnected` first on JSON protocols, then the
   * close frame. The session ends, so a later recovery is refused.
   */
  close(code: number, reason: string): void {
    if (this.state === "closed") return;
    const ws = this.socket;
    if (ws && ws.readyState === WebSocket.OPEN) {
      if (this.kind !== "simple") ws.send(JSON.stringify({ type: "system", event: "disconnected", message: reason }));
      ws.close(code, truncateUtf8(reason, 123));
    }
    this.finish(reason);
  }

  /** Drops the socket without any event, for emulator shutdown. */
  terminate(): void {
    clearTimeout(this.recoveryTimer);
    this.state = "closed";
    this.socket?.terminate();
    this.socket = null;
  }

  private sendFrame(data: string | Buffer): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_OUTBOUND_BYTES && this.kind !== "reliable") {
      this.close(1008, "The outbound queue is full.");
      return;
    }
    ws.send(data);
  }

  private onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (this.socket !== ws || this.state !== "open") return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    try {
      if (this.kind === "simple") {
        this.enqueue(() => handleSimpleFrame(this, bytes, isBinary, this.runtime), bytes.length);
      } else {
        handleJsonFrame(this, bytes, isBinary, this.runtime);
      }
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  /** Runs `task` after every earlier frame of this connection was handled; `size` counts toward the pending-bytes bound. */
  enqueue(task: () => Promise<void> | void, size = 0): void {
    if (this.pendingFrames >= MAX_PENDING_FRAMES || this.pendingBytes + size > MAX_PENDING_BYTES) {
      this.runtime.log(`[${this.hub.name}] connection ${this.id}: ${this.pendingFrames} messages wait for the event handler; closing`);
      this.close(1008, "Too many messages are waiting for the event handler.");
      return;
    }
    this.pendingFrames++;
    this.pendingBytes += size;
    this.inbound = this.inbound
      .then(task)
      .catch((err: unknown) => this.handlerFailed(err))
      .finally(() => {
        this.pendingFrames--;
        this.pendingBytes -= size;
      });
  }

  // A bug in a handler must cost one connection, never the process (ws rethrows listener
  // errors), and must not leave the client waiting for an ack that never comes.
  private handlerFailed(err: unknown): void {
    this.runtime.log(`[${this.hub.name}] connection ${this.id}: frame handler failed: ${describe(err)}`);
    this.close(1011, "The emulator failed to handle the message.");
  }

  private onSocketClose(ws: WebSocket, code: number): void {
    if (this.socket !== ws) return;
    this.socket = null;
    if (this.state !== "open") return;
    // 1006 means no close frame: the network dropped, so a reliable client may come back.
    if (this.kind === "reliable" && code === 1006 && !this.runtime.closing) {
      this.state = "detached";
      const window = this.runtime.recoveryWindowMs;
      this.runtime.log(`[${this.hub.name}] connection ${this.id} dropped; waiting ${window / 1000}s for recovery`);
      this.recoveryTimer = setTimeout(() => this.finish("The connection was not recovered in time."), window);
      this.recoveryTimer.unref();
      return;
    }
    this.finish(code === 1006 ? "The connection was lost." : `Closed by the client (${code}).`);
  }

  // Final cleanup: indexes, upstream `disconnected` (once), log.
  private finish(reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.recoveryTimer);
    this.hub.remove(this);
    if (this.runtime.closing) return;
    this.runtime.log(`[${this.hub.name}] disconnected ${this.id}: ${reason}`);
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
