// Client options: the official client's names and defaults, plus ours (ackTimeoutInMs,
// webSocket, maxQueuedMessages). Bad values fail in the constructor, before any I/O.
import { invalidArgument, outOfRange } from "../core/index.js";
import type { AbortSignalLike } from "./ackTracker.js";
import { resolveRetryOptions, type ResolvedRetryOptions, type WebPubSubRetryOptions } from "./retry.js";
import type { WebSocketConstructorLike, WebSocketFactory } from "./webSocketLike.js";

/** The JSON subprotocol: no recovery. */
export const JSON_PROTOCOL_NAME = "json.webpubsub.azure.v1";
/** The reliable JSON subprotocol: sequence ids and recovery (the default). */
export const RELIABLE_PROTOCOL_NAME = "json.reliable.webpubsub.azure.v1";

/** A subprotocol choice, as `WebPubSubJsonProtocol()` / `WebPubSubJsonReliableProtocol()` return it. */
export interface WebPubSubClientProtocol {
  /** The WebSocket subprotocol name. */
  readonly name: string;
  /** True when the protocol numbers messages and can recover a dropped connection. */
  readonly isReliableSubProtocol: boolean;
}

/** The `json.webpubsub.azure.v1` protocol. */
export function WebPubSubJsonProtocol(): WebPubSubClientProtocol {
  return { name: JSON_PROTOCOL_NAME, isReliableSubProtocol: false };
}

/** The `json.reliable.webpubsub.azure.v1` protocol (the default). */
export function WebPubSubJsonReliableProtocol(): WebPubSubClientProtocol {
  return { name: RELIABLE_PROTOCOL_NAME, isReliableSubProtocol: true };
}

/** Options of `getClientAccessUrl`. */
export interface GetClientAccessUrlOptions {
  /** Aborted when `start()`'s signal aborts or the client stops. */
  abortSignal?: AbortSignalLike;
}

/** Where the client gets its URL: called on start and again for every fresh reconnect (token refresh). */
export interface WebPubSubClientCredential {
  /** Returns a client access URL (`wss://…/client/hubs/<hub>?access_token=…`). */
  getClientAccessUrl: string | ((options?: GetClientAccessUrlOptions) => string | Promise<string>);
}

/** Options of the client. */
export interface WebPubSubClientOptions {
  /** Subprotocol; default {@link WebPubSubJsonReliableProtocol}. */
  protocol?: WebPubSubClientProtocol;
  /** Open a new connection when one is lost and cannot be recovered. Default true. */
  autoReconnect?: boolean;
  /** Join the groups joined before, after a fresh reconnect. Default true. */
  autoRejoinGroups?: boolean;
  /** Retries of sends, joins and leaves. Default 3 retries, 1000 ms apart. */
  messageRetryOptions?: WebPubSubRetryOptions;
  /** Retries of fresh reconnects. Default unlimited, 1000 ms apart. */
  reconnectRetryOptions?: WebPubSubRetryOptions;
  /** Ping interval; 0 disables pings. Default 20000. */
  keepAliveIntervalInMs?: number;
  /** Silence after which the socket counts as dead and is dropped at once; 0 disables. Default 120000. */
  keepAliveTimeoutInMs?: number;
  /** Ours: how long a send waits for its ack (and an invocation for its response) once on the wire. Default 30000; 0 waits forever. */
  ackTimeoutInMs?: number;
  /** Ours: sends made while (re)connecting wait in a queue of at most this many messages. Default 1000. */
  maxQueuedMessages?: number;
  /** Ours: a WebSocket class or a `(url, protocol) => socket` factory, for custom transports and tests. */
  webSocket?: WebSocketConstructorLike | WebSocketFactory;
  /**
   * Ours: allow a plain `ws://` (or `http://`) URL to a host that is not loopback, which would
   * send the access token unencrypted. Loopback (the emulator) is always allowed. Default false.
   */
  allowInsecureConnection?: boolean;
}

/** Options with every default applied. */
export interface ResolvedClientOptions {
  protocol: WebPubSubClientProtocol;
  autoReconnect: boolean;
  autoRejoinGroups: boolean;
  messageRetryOptions: ResolvedRetryOptions;
  reconnectRetryOptions: ResolvedRetryOptions;
  keepAliveIntervalInMs: number;
  keepAliveTimeoutInMs: number;
  ackTimeoutInMs: number;
  maxQueuedMessages: number;
  webSocket: WebSocketConstructorLike | WebSocketFactory | undefined;
  allowInsecureConnection: boolean;
}

// setTimeout's ceiling: a larger delay fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

// The defaults of the plain options; each is validated by the type of its default.
const DEFAULTS = {
  autoReconnect: true,
  autoRejoinGroups: true,
  keepAliveIntervalInMs: 20_000,
  keepAliveTimeoutInMs: 120_000,
  ackTimeoutInMs: 30_000,
  maxQueuedMessages: 1000,
  allowInsecureConnection: false,
};

/** Applies defaults and validates; throws TypeError/RangeError with WPS_ERR_INVALID_ARGUMENT. */
export function resolveClientOptions(options: WebPubSubClientOptions = {}): ResolvedClientOptions {
  if (typeof options !== "object" || options === null) throw invalidArgument("options must be an object");
  const protocol = options.protocol ?? WebPubSubJsonReliableProtocol();
  if (protocol.name !== JSON_PROTOCOL_NAME && protocol.name !== RELIABLE_PROTOCOL_NAME) {
    throw invalidArgument(`protocol must be ${JSON_PROTOCOL_NAME} or ${RELIABLE_PROTOCOL_NAME}, got ${String(protocol.name)}`);
  }
  if (options.webSocket !== undefined && typeof options.webSocket !== "function") {
    throw invalidArgument("webSocket must be a WebSocket class or a (url, protocol) => socket factory");
  }
  const resolved = { ...DEFAULTS } as Record<string, unknown>;
  for (const [name, fallback] of Object.entries(DEFAULTS)) {
    const value = options[name as keyof typeof DEFAULTS];
    if (value === undefined) continue;
    if (typeof fallback === "boolean") {
      if (typeof value !== "boolean") throw invalidArgument(`${name} must be a boolean`);
    } else if (name === "maxQueuedMessages" ? !(Number.isSafeInteger(value) && (value as number) >= 0) : !(typeof value === "number" && value >= 0 && value <= MAX_TIMER_MS)) {
      throw outOfRange(`${name} must be ${name === "maxQueuedMessages" ? "a non-negative integer" : `a number of milliseconds from 0 to ${MAX_TIMER_MS}`}, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  const retries = (name: "messageRetryOptions" | "reconnectRetryOptions", maxRetries: number): ResolvedRetryOptions =>
    resolveRetryOptions(name, options[name], { maxRetries, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000, mode: "Fixed" });
  return {
    ...(resolved as typeof DEFAULTS),
    // Normalised so an official protocol object (which also parses) is only read for its name.
    protocol: protocol.name === RELIABLE_PROTOCOL_NAME ? WebPubSubJsonReliableProtocol() : WebPubSubJsonProtocol(),
    messageRetryOptions: retries("messageRetryOptions", 3),
    reconnectRetryOptions: retries("reconnectRetryOptions", Infinity),
    webSocket: options.webSocket,
  };
}
