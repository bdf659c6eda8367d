// The emulator's typed event stream: what happened, as data, for tools (the CLI log, a
// dashboard, tests) to subscribe to. Events never carry a key, token or signature; the
// readable one-line form that `onLog` and the CLI print is formatEvent's.
import { describeCloseCode } from "../core/index.js";

/** Fields every event has. */
export interface EventBase {
  /** When it happened (milliseconds since the epoch). */
  time: number;
}

/** The HTTP server is listening. */
export interface ListeningEvent extends EventBase {
  /** Discriminant. */
  type: "listening";
  /** The base URL clients and SDKs use. */
  endpoint: string;
}

/** A client WebSocket was accepted and its connection registered. */
export interface ConnectedEvent extends EventBase {
  /** Discriminant. */
  type: "connected";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
  /** The user id, or null when anonymous. */
  userId: string | null;
  /** The negotiated subprotocol; null for a plain WebSocket. */
  subprotocol: string | null;
  /** The roles the connection got (token roles, or the connect handler's). */
  roles?: string[];
  /** The groups it joined at connect. */
  groups?: string[];
  /** The claims of the token it presented: never the token or its signature. */
  claims?: TokenClaims;
}

/** The claims of a client access token that tools may show. */
export interface TokenClaims {
  /** The user id claim. */
  sub?: string;
  /** Role claims. */
  role?: string[];
  /** Group claims. */
  group?: string[];
  /** The audience the token was issued for. */
  aud: string;
  /** Issued at (seconds since the epoch). */
  iat?: number;
  /** Expires at (seconds since the epoch). */
  exp?: number;
  /** Not before (seconds since the epoch). */
  nbf?: number;
}

/** A reliable connection lost its socket and waits for the client to recover. */
export interface DetachedEvent extends EventBase {
  /** Discriminant. */
  type: "detached";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
  /** How long the session waits for the client. */
  recoveryWindowMs: number;
}

/** A reliable client came back on a new socket. */
export interface RecoveredEvent extends EventBase {
  /** Discriminant. */
  type: "recovered";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
}

/** A connection ended for good. */
export interface DisconnectedEvent extends EventBase {
  /** Discriminant. */
  type: "disconnected";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
  /** Why, in a sentence (never a secret). */
  reason: string;
  /** The close code the emulator sent, when it closed the connection. */
  closeCode?: number;
}

/** A client WebSocket was refused before the upgrade (or its recovery was refused). */
export interface HandshakeRefusedEvent extends EventBase {
  /** Discriminant. */
  type: "handshakeRefused";
  /** The hub (lower-cased). */
  hub: string | null;
  /** The HTTP status, or 1008 for a refused recovery (the socket opens, then closes). */
  status: number;
  /** For a refused recovery: the connection the client asked to recover. */
  connectionId?: string;
  /** Why, in a sentence (never a secret). */
  reason: string;
  /** The rule that refused it, e.g. `token expired at …` or `signature does not match`. */
  why?: string;
}

/** A frame from a client. */
export interface FrameInEvent extends EventBase {
  /** Discriminant. */
  type: "frameIn";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
  /** The JSON frame's `type`; `message` for a plain WebSocket frame; `unreadable` when it has none. */
  frameType: string;
  /** The request's ackId, if any. */
  ackId?: number;
  /** The group the request names. */
  group?: string;
  /** The event the request names. */
  event?: string;
  /** Payload bytes (plain) or frame bytes (JSON). */
  size: number;
  /** Why the frame was rejected, when it was (decoder reason, e.g. `invalid-group`). */
  error?: string;
}

/** A frame to a client. */
export interface FrameOutEvent extends EventBase {
  /** Discriminant. */
  type: "frameOut";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
  /** `message`, `ack`, `pong`, `system`, `invokeResponse`. */
  frameType: string;
  /** The request's ackId, if any. */
  ackId?: number;
  /** For acks: the result. */
  success?: boolean;
  /** For negative acks: the error name and message. */
  error?: { name: string; message: string };
  /** For negative acks: the rule that refused the request, e.g. `role webpubsub.sendToGroup.g1 missing`. */
  why?: string;
  /** Reliable messages: the sequence id. */
  sequenceId?: number;
}

/** A REST call was answered. */
export interface RestEvent extends EventBase {
  /** Discriminant. */
  type: "rest";
  /** The HTTP method. */
  method: string;
  /** The path without the query (the query may hold secrets). */
  path: string;
  /** The HTTP status. */
  status: number;
  /** For failures: the service error code and why the call failed. */
  errorCode?: string;
  /** Why, in a sentence (never a secret). */
  reason?: string;
  /** The response's `x-ms-request-id`. */
  requestId?: string;
  /** For 401 and 403: the rule that refused the call, e.g. `token audience is …, expected …`. */
  why?: string;
}

/** A blocking upstream call (connect or a user event) finished, or found no handler. */
export interface UpstreamEvent extends EventBase {
  /** Discriminant. */
  type: "upstream";
  /** The hub (lower-cased). */
  hub: string;
  /** The connection. */
  connectionId: string;
  /** `connect` or a user event name. */
  event: string;
  /** `rejected`: connect refused; `failed`: a handler error, timeout or non-2xx; `no-handler`: none is configured. */
  result: "ok" | "rejected" | "failed" | "no-handler";
  /** The handler's HTTP status, when there was one. */
  status?: number;
  /** From the call to its outcome. */
  durationMs: number;
  /** For an accepted `connect`: what the handler set (absent fields were left as the token said). */
  answer?: { userId?: string | null; roles?: string[]; groups?: string[]; subprotocol?: string };
}

/** Anything else worth a line: upstream retries and validation, ignored roles, refused HTTP. */
export interface LogEvent extends EventBase {
  /** Discriminant. */
  type: "log";
  /** `warn` for something a user should look at. */
  level: "info" | "warn";
  /** The line. */
  message: string;
}

/** Every event the emulator emits. */
export type EmulatorEvent =
  | ListeningEvent
  | ConnectedEvent
  | DetachedEvent
  | RecoveredEvent
  | DisconnectedEvent
  | HandshakeRefusedEvent
  | FrameInEvent
  | FrameOutEvent
  | RestEvent
  | UpstreamEvent
  | LogEvent;

/** The `type` of an event. */
export type EmulatorEventType = EmulatorEvent["type"];
/** The event of one `type`. */
export type EmulatorEventOf<T extends EmulatorEventType> = Extract<EmulatorEvent, { type: T }>;
/** An event as emitted, before the stream stamps its time. */
export type EmulatorEventInit = EmulatorEvent extends infer E ? (E extends EmulatorEvent ? Omit<E, "time"> : never) : never;

type Listener = (event: EmulatorEvent) => void;

/** Subscriptions to the emulator's events. A throwing listener never affects the emulator. */
export class EmulatorEvents {
  private readonly byType = new Map<string, Set<Listener>>();
  private readonly all = new Set<Listener>();

  /** Calls `listener` for every event of `type`. Returns an unsubscribe function. */
  on<T extends EmulatorEventType>(type: T, listener: (event: EmulatorEventOf<T>) => void): () => void;
  /** Calls `listener` for every event. Returns an unsubscribe function. */
  on(type: "*", listener: (event: EmulatorEvent) => void): () => void;
  on(type: string, listener: Listener): () => void {
    let set: Set<Listener>;
    if (type === "*") set = this.all;
    else {
      set = this.byType.get(type) ?? new Set();
      this.byType.set(type, set);
    }
    const own = (event: EmulatorEvent) => listener(event);
    set.add(own);
    return () => void set.delete(own);
  }

  /** True when someone listens to `type`: emitters skip building events nobody reads. */
  wants(type: EmulatorEventType): boolean {
    return this.all.size > 0 || (this.byType.get(type)?.size ?? 0) > 0;
  }

  /** Stamps `init` with the time (in place) and delivers it. For the emulator's parts; listeners cannot break it. */
  emit(init: EmulatorEventInit): void {
    if (!this.wants(init.type)) return;
    // Stamped in place, not copied: an object spread costs about ten times as much, and frame
    // events are emitted once per recipient of a fan-out. Callers pass fresh objects.
    const event = init as EmulatorEvent;
    event.time = Date.now();
    // Frame events are emitted once per recipient of a fan-out: no array is built per event.
    const typed = this.byType.get(event.type);
    if (typed !== undefined && typed.size > 0) deliver(typed, event);
    if (this.all.size > 0) deliver(this.all, event);
  }
}

// The rule behind a refusal, when it says more than the reason already does.
function because(reason: string | undefined, why: string | undefined): string {
  return why === undefined || why === reason ? "" : `; ${why}`;
}

// Calls each listener once; a listener that throws is skipped. A listener added during
// delivery may see the event too (Set iteration), which is harmless.
function deliver(listeners: Set<Listener>, event: EmulatorEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // A broken subscriber must not break the emulator.
    }
  }
}

/**
 * The one readable line for an event, as `onLog` and the CLI print it; undefined for events
 * too frequent to print (every delivered message, pings, sequence acks) or printed
 * otherwise (upstream calls, which the dispatcher logs in detail).
 */
export function formatEvent(e: EmulatorEvent): string | undefined {
  switch (e.type) {
    case "listening":
      return `Web PubSub emulator listening on ${e.endpoint}`;
    case "connected":
      return `[${e.hub}] connected ${e.connectionId} (user ${e.userId ?? "(none)"}, ${e.subprotocol ?? "raw websocket"})`;
    case "detached":
      return `[${e.hub}] connection ${e.connectionId} dropped; waiting ${e.recoveryWindowMs / 1000}s for recovery`;
    case "recovered":
      return `[${e.hub}] recovered ${e.connectionId}`;
    case "disconnected":
      return `[${e.hub}] disconnected ${e.connectionId}: ${e.reason}${e.closeCode === undefined ? "" : ` (close ${describeCloseCode(e.closeCode)})`}`;
    case "handshakeRefused": {
      const why = `${e.reason}${because(e.reason, e.why)}`;
      return e.hub === null ? `handshake refused with ${e.status}: ${why}` : `[${e.hub}] handshake refused with ${e.status}: ${why}`;
    }
    case "frameIn": {
      if (e.frameType === "ping" || e.frameType === "sequenceAck") return undefined;
      const what = [e.group === undefined ? "" : ` group '${e.group}'`, e.event === undefined ? "" : ` event '${e.event}'`, e.ackId === undefined ? "" : ` ackId ${e.ackId}`].join("");
      const error = e.error === undefined ? "" : ` rejected: ${e.error}`;
      return `[${e.hub}] ${e.connectionId} -> ${e.frameType}${what} (${e.size} bytes)${error}`;
    }
    case "frameOut": {
      if (e.frameType !== "ack" && e.frameType !== "invokeResponse") return undefined;
      const id = e.ackId === undefined ? "" : ` ${e.ackId}`;
      const result = e.success ? "ok" : `failed${e.error ? `: ${e.error.name}: ${e.error.message}` : ""}${e.why === undefined ? "" : ` (${e.why})`}`;
      return `[${e.hub}] ${e.connectionId} <- ${e.frameType}${id} ${result}`;
    }
    case "rest":
      if (e.errorCode === undefined && e.reason === undefined) return `REST ${e.method} ${e.path} -> ${e.status}`;
      return `REST ${e.method} ${e.path} -> ${e.status} ${e.errorCode ?? ""}: ${e.reason ?? ""}${because(e.reason, e.why)} (request id ${e.requestId ?? "none"})`;
    case "upstream":
      // The dispatcher's own `log` lines already say this, with the URL and every retry.
      return undefined;
    case "log":
      return e.message;
  }
}
