// Client options: the official client's names and defaults, plus ours (ackTimeoutInMs,
// webSocket, maxQueuedMessages). Bad values fail in the constructor, before any I/O.
import { VERBOSE } from "../core/index.js";
import type { AbortSignalLike } from "./ackTracker.js";
import { resolveRetryOptions, type ResolvedRetryOptions, type WebPubSubRetryOptions } from "./retry.js";
import { BOOLEAN, check, COUNT, withDefaults, type Rule } from "./validate.js";
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

/** setTimeout's ceiling: a larger delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const TIMER_MS: Rule = [(v) => typeof v === "number" && v >= 0 && v <= MAX_TIMER_MS, VERBOSE ? `0 to ${MAX_TIMER_MS} ms` : "", 1];

// The options with a plain value: defaults, and the rule a given value must pass.
const DEFAULTS = {
  autoReconnect: true,
  autoRejoinGroups: true,
  keepAliveIntervalInMs: 20_000,
  keepAliveTimeoutInMs: 120_000,
  ackTimeoutInMs: 30_000,
  maxQueuedMessages: 1000,
  allowInsecureConnection: false,
  webSocket: undefined as WebSocketConstructorLike | WebSocketFactory | undefined,
};
const RULES: Record<keyof typeof DEFAULTS, Rule> = {
  autoReconnect: BOOLEAN,
  autoRejoinGroups: BOOLEAN,
  keepAliveIntervalInMs: TIMER_MS,
  keepAliveTimeoutInMs: TIMER_MS,
  ackTimeoutInMs: TIMER_MS,
  maxQueuedMessages: COUNT,
  allowInsecureConnection: BOOLEAN,
  webSocket: [(v) => typeof v === "function", VERBOSE ? "a WebSocket class or factory" : ""],
};
const PROTOCOL: Rule = [(v) => v === JSON_PROTOCOL_NAME || v === RELIABLE_PROTOCOL_NAME, VERBOSE ? `${JSON_PROTOCOL_NAME} or ${RELIABLE_PROTOCOL_NAME}` : ""];
const RETRY_DEFAULTS = { retryDelayInMs: 1000, maxRetryDelayInMs: 30_000, mode: "Fixed" as const };

/** Applies defaults and validates; throws TypeError/RangeError with WPS_ERR_INVALID_ARGUMENT. */
export function resolveClientOptions(options: WebPubSubClientOptions = {}): ResolvedClientOptions {
  check("options", options, [(v) => typeof v === "object" && v !== null, VERBOSE ? "an object" : ""]);
  const protocol = options.protocol ?? WebPubSubJsonReliableProtocol();
  check("protocol.name", protocol.name, PROTOCOL);
  return {
    ...withDefaults("", options, DEFAULTS, RULES),
    // Normalised so an official protocol object (which also parses) is only read for its name.
    protocol: protocol.name === RELIABLE_PROTOCOL_NAME ? WebPubSubJsonReliableProtocol() : WebPubSubJsonProtocol(),
    messageRetryOptions: resolveRetryOptions("messageRetryOptions", options.messageRetryOptions, { ...RETRY_DEFAULTS, maxRetries: 3 }),
    reconnectRetryOptions: resolveRetryOptions("reconnectRetryOptions", options.reconnectRetryOptions, { ...RETRY_DEFAULTS, maxRetries: Infinity }),
  };
}
