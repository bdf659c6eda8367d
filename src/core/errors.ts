import { VERBOSE } from "./verbose.js";

/** Stable error codes; `switch (err.code)` narrows them. Tabled in the README. */
export type WebPubSubErrorCode =
  | "WPS_ERR_CONNECTION_STRING"
  | "WPS_ERR_INVALID_ARGUMENT"
  | "WPS_ERR_INSECURE_ENDPOINT"
  | "WPS_ERR_CONFIGURATION"
  | "WPS_ERR_SERVICE"
  | "WPS_ERR_TOKEN"
  | "WPS_ERR_TOKEN_EXPIRED"
  | "WPS_ERR_CLOSED"
  | "WPS_ERR_API_VERSION"
  | "WPS_ERR_TIMEOUT"
  | "WPS_ERR_RESPONSE_TOO_LARGE"
  | "WPS_ERR_FOREIGN_URL"
  | "WPS_ERR_LISTEN"
  | "WPS_ERR_TOKEN_INVALID"
  | "WPS_ERR_FILTER"
  | "WPS_ERR_REQUEST_REJECTED"
  | "WPS_ERR_UPSTREAM"
  | "WPS_ERR_USAGE"
  // WebSocket client (src/client): why a send, an invocation or a connection failed.
  | "WPS_ERR_NOT_CONNECTED"
  | "WPS_ERR_INVALID_STATE"
  | "WPS_ERR_CONNECT_FAILED"
  | "WPS_ERR_CONNECTION_LOST"
  | "WPS_ERR_ACK_REJECTED"
  | "WPS_ERR_ACK_TIMEOUT"
  | "WPS_ERR_QUEUE_FULL"
  | "WPS_ERR_ABORTED"
  | "WPS_ERR_INVOCATION_FAILED";

/** Options shared by every error of this package. */
export interface WebPubSubErrorOptions {
  /** The underlying failure, kept as `error.cause`. */
  cause?: unknown;
}

/** Base class of every error this package throws on purpose. */
export class WebPubSubError extends Error {
  /** Stable machine-readable code. */
  readonly code: WebPubSubErrorCode;

  /** An empty `message` becomes the code (the production browser build drops sentences). */
  constructor(code: WebPubSubErrorCode, message: string, options: WebPubSubErrorOptions = {}) {
    super(message || code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WebPubSubError";
    this.code = code;
  }
}

/**
 * A mistake in a command line (the `webpubsub` commands): printed as one line with a pointer
 * to the usage, exit code 2. Code `WPS_ERR_USAGE`.
 */
export class UsageError extends WebPubSubError {
  constructor(message: string) {
    super("WPS_ERR_USAGE", message);
    this.name = "UsageError";
  }
}

/** Details of a failed REST call, as reported by the service. */
export interface ServiceErrorDetails extends WebPubSubErrorOptions {
  /** HTTP status code of the response. */
  statusCode: number;
  /** `x-ms-error-code` or the ErrorDetail `code`. */
  serviceCode?: string | undefined;
  /** ErrorDetail `target`. */
  target?: string | undefined;
  /** `x-ms-request-id` of the response. */
  requestId?: string | undefined;
  /** HTTP method of the request. */
  method?: string | undefined;
  /** Request path without query: the query may hold secrets. */
  path?: string | undefined;
  /** ErrorDetail `details`, as the service sent them. */
  details?: unknown;
}

/** A REST call answered with an unexpected status. Carries no key, JWT or access_token. */
export class ServiceError extends WebPubSubError {
  /** HTTP status code. */
  readonly statusCode: number;
  /** The service's error code (`x-ms-error-code` header or ErrorDetail `code`). */
  readonly serviceCode: string | undefined;
  /** The service's ErrorDetail `target`, e.g. the bad parameter. */
  readonly target: string | undefined;
  /** `x-ms-request-id` (or client request id) for support tickets. */
  readonly requestId: string | undefined;
  /** Nested ErrorDetail `details`, if any. */
  readonly details: unknown;

  constructor(message: string, info: ServiceErrorDetails) {
    super("WPS_ERR_SERVICE", message, { cause: info.cause });
    this.name = "ServiceError";
    this.statusCode = info.statusCode;
    this.serviceCode = info.serviceCode;
    this.target = info.target;
    this.requestId = info.requestId;
    this.details = info.details;
  }
}

/**
 * True for errors thrown by this package. Checks `code` as well as the class,
 * so it holds across two loaded copies of the package.
 */
export function isWebPubSubError(value: unknown): value is WebPubSubError {
  if (value instanceof WebPubSubError) return true;
  const code = value instanceof Error ? (value as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("WPS_ERR_");
}

/**
 * A bad argument: a TypeError carrying a stable code, thrown before any I/O. In the production
 * browser build the message is only the argument's name, and reads `invalid <name>`.
 */
export function invalidArgument(message: string): TypeError & { code: "WPS_ERR_INVALID_ARGUMENT" } {
  return Object.assign(new TypeError(VERBOSE ? message : `invalid ${message}`), { code: "WPS_ERR_INVALID_ARGUMENT" as const });
}

/** An argument outside its allowed range, thrown before any I/O (`invalid <name>` when terse, as above). */
export function outOfRange(message: string): RangeError & { code: "WPS_ERR_INVALID_ARGUMENT" } {
  return Object.assign(new RangeError(VERBOSE ? message : `invalid ${message}`), { code: "WPS_ERR_INVALID_ARGUMENT" as const });
}
