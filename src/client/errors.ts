// The two errors callers catch from a send or an invocation. Both carry a stable `code`
// from the WPS_ERR_* union, so `switch (err.code)` tells a refusal from a lost connection.
import { WebPubSubError, type WebPubSubErrorCode } from "../core/index.js";

/** The service's reason for a negative ack or a failed invocation. */
export interface AckMessageError {
  /** `Forbidden`, `BadRequest`, `InternalServerError`, … as the service names it. */
  name: string;
  /** The service's explanation. */
  message: string;
}

/** Options of {@link SendMessageError}. */
export interface SendMessageErrorOptions {
  /** The ackId of the failed message, when it had one. */
  ackId?: number | undefined;
  /** The service's reason, for a negative ack. */
  errorDetail?: AckMessageError | undefined;
  /** The underlying failure. */
  cause?: unknown;
}

/**
 * A send (`sendToGroup`, `sendEvent`, `joinGroup`, `leaveGroup`) failed. `code` says why:
 * `WPS_ERR_ACK_REJECTED` (the service said no; see `errorDetail.name`), `WPS_ERR_ACK_TIMEOUT`,
 * `WPS_ERR_CONNECTION_LOST`, `WPS_ERR_CLOSED`, `WPS_ERR_NOT_CONNECTED`, `WPS_ERR_QUEUE_FULL`
 * or `WPS_ERR_ABORTED`.
 */
export class SendMessageError extends WebPubSubError {
  /** The ackId of the message; retries of one send keep it. */
  declare readonly ackId: number | undefined;
  /** The service's reason for a negative ack. */
  declare readonly errorDetail: AckMessageError | undefined;

  constructor(code: WebPubSubErrorCode, message: string, options: SendMessageErrorOptions = {}) {
    super(code, message, options);
    this.name = "SendMessageError";
    this.ackId = options.ackId;
    this.errorDetail = options.errorDetail;
  }
}

/** Options of {@link InvocationError}. */
export interface InvocationErrorOptions {
  /** The invocation's id. */
  invocationId: string;
  /** The service's or the event handler's reason. */
  errorDetail?: AckMessageError | undefined;
  /** The underlying failure. */
  cause?: unknown;
}

/**
 * `invokeEvent` failed: `WPS_ERR_INVOCATION_FAILED` when the service or the event handler
 * answered with an error (see `errorDetail`), or the transport codes of {@link SendMessageError}.
 */
export class InvocationError extends WebPubSubError {
  /** The invocation's id. */
  declare readonly invocationId: string;
  /** The service's or the event handler's reason. */
  declare readonly errorDetail: AckMessageError | undefined;

  constructor(code: WebPubSubErrorCode, message: string, options: InvocationErrorOptions) {
    super(code, message, options);
    this.name = "InvocationError";
    this.invocationId = options.invocationId;
    this.errorDetail = options.errorDetail;
  }
}

/** Options of {@link ConnectionError}. */
export interface ConnectionErrorOptions {
  /** The WebSocket close code, when the socket closed. */
  closeCode?: number | undefined;
  /** The WebSocket close reason. */
  closeReason?: string | undefined;
  /** The underlying failure (a thrown getClientAccessUrl, a socket error). */
  cause?: unknown;
}

/**
 * A connection could not be opened (`start()` rejects with it; reconnects retry after it).
 * Code `WPS_ERR_CONNECT_FAILED`. The message never includes the URL: its query holds the token.
 */
export class ConnectionError extends WebPubSubError {
  /** The WebSocket close code, e.g. 1006 for a refused handshake, 1008 for a refused recovery. */
  declare readonly closeCode: number | undefined;
  /** The WebSocket close reason. */
  declare readonly closeReason: string | undefined;

  constructor(message: string, options: ConnectionErrorOptions = {}) {
    super("WPS_ERR_CONNECT_FAILED", message, options);
    this.name = "ConnectionError";
    this.closeCode = options.closeCode;
    this.closeReason = options.closeReason;
  }
}
