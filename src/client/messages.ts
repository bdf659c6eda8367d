// Public shapes of what the client hands to listeners and returns from calls, named as in
// @azure/web-pubsub-client so code written for it keeps compiling.
import type { WebPubSubDataType } from "../core/index.js";
import type { AbortSignalLike } from "./ackTracker.js";

export type { WebPubSubDataType };

/** A JSON value as a message carries it. */
export type JSONTypes = string | number | boolean | object;

/** A message sent to a group this client is in. */
export interface GroupDataMessage {
  /** Always "groupData". */
  readonly kind: "groupData";
  /** The group. */
  group: string;
  /** The sender's user id. Typed as the official client types it; null at runtime for an anonymous sender. */
  fromUserId: string;
  /** How `data` was sent. */
  dataType: WebPubSubDataType;
  /** A string (text), a parsed JSON value (json) or an ArrayBuffer (binary). */
  data: JSONTypes | ArrayBuffer;
  /** The reliable protocol's sequence id. */
  sequenceId?: number;
}

/** A message sent by the server (REST send, or an event handler's reply). */
export interface ServerDataMessage {
  /** Always "serverData". */
  readonly kind: "serverData";
  /** How `data` was sent. */
  dataType: WebPubSubDataType;
  /** A string (text), a parsed JSON value (json) or an ArrayBuffer (binary). */
  data: JSONTypes | ArrayBuffer;
  /** The reliable protocol's sequence id. */
  sequenceId?: number;
}

/** The service's `disconnected` system message, sent before it closes a connection. */
export interface DisconnectedMessage {
  /** Always "disconnected". */
  readonly kind: "disconnected";
  /** The reason. */
  message: string;
}

/** `connected`: a fresh connection is ready (after the groups were rejoined). */
export interface OnConnectedArgs {
  /** The connection id. */
  connectionId: string;
  /** The user id. Typed as the official client types it; null at runtime when anonymous. */
  userId: string;
}

/** `disconnected`: a connection ended and was not recovered. */
export interface OnDisconnectedArgs {
  /** The connection id, when the connection got one. */
  connectionId?: string;
  /** The service's `disconnected` message, when it sent one. */
  message?: DisconnectedMessage;
  /** Ours: the WebSocket close code (1006 for a lost or dropped socket). */
  code?: number;
  /** Ours: the WebSocket close reason. */
  reason?: string;
}

/** `stopped`: the client stopped, by `stop()` or after reconnecting gave up. */
export interface OnStoppedArgs {}

/** `server-message`. */
export interface OnServerDataMessageArgs {
  /** The message. */
  message: ServerDataMessage;
}

/** `group-message`. */
export interface OnGroupDataMessageArgs {
  /** The message. */
  message: GroupDataMessage;
}

/** `rejoin-group-failed`: one group could not be rejoined after a fresh reconnect. */
export interface OnRejoinGroupFailedArgs {
  /** The group. */
  group: string;
  /** Why. */
  error: Error;
}

/** Ours, `recovering`: the socket dropped; the client reconnects to the same connection. */
export interface OnRecoveringArgs {
  /** The connection being recovered. */
  connectionId: string;
  /** The close code of the lost socket (1006 when it dropped without a close frame). */
  code: number;
  /** The close reason of the lost socket. */
  reason: string;
}

/** Ours, `recovered`: the same connection is back; no message was lost. */
export interface OnRecoveredArgs {
  /** The recovered connection. */
  connectionId: string;
  /** Attempts it took (1 = first try). */
  attempts: number;
  /** Milliseconds from the drop to the recovery. */
  elapsedMs: number;
}

/** Event names and the argument each listener gets. */
export interface WebPubSubClientEvents {
  /** A fresh connection is ready. */
  connected: OnConnectedArgs;
  /** A connection ended without recovery. */
  disconnected: OnDisconnectedArgs;
  /** The client stopped. */
  stopped: OnStoppedArgs;
  /** A message from the server. */
  "server-message": OnServerDataMessageArgs;
  /** A message to one of the client's groups. */
  "group-message": OnGroupDataMessageArgs;
  /** A group could not be rejoined. */
  "rejoin-group-failed": OnRejoinGroupFailedArgs;
  /** Recovery of a dropped connection started. */
  recovering: OnRecoveringArgs;
  /** Recovery succeeded. */
  recovered: OnRecoveredArgs;
}

/** The outcome of an acknowledged send. */
export interface WebPubSubResult {
  /** The ackId; undefined for fire-and-forget sends. */
  ackId?: number;
  /** True when the service had already processed this ackId (a retry after a lost ack). */
  isDuplicated: boolean;
}

/** The response to {@link InvokeEventOptions | invokeEvent}. */
export interface InvokeEventResult {
  /** The invocation id. */
  invocationId: string;
  /** The response's data type, when it has data. */
  dataType?: WebPubSubDataType;
  /** The response data: string, JSON value or ArrayBuffer. */
  data?: JSONTypes | ArrayBuffer;
}

/** Options of `start()`. */
export interface StartOptions {
  /** Cancels the start. */
  abortSignal?: AbortSignalLike;
}

/** Options of `joinGroup()`. */
export interface JoinGroupOptions {
  /** The ackId; one is generated when absent. Retries keep it. */
  ackId?: number;
  /** Cancels waiting (the request may still reach the service). */
  abortSignal?: AbortSignalLike;
}

/** Options of `leaveGroup()`. */
export interface LeaveGroupOptions {
  /** The ackId; one is generated when absent. Retries keep it. */
  ackId?: number;
  /** Cancels waiting (the request may still reach the service). */
  abortSignal?: AbortSignalLike;
}

/** Options of `sendToGroup()`. */
export interface SendToGroupOptions {
  /** Do not deliver the message back to this connection. */
  noEcho?: boolean;
  /** Send without an ackId: no ack, no retry, resolves once written. */
  fireAndForget?: boolean;
  /** The ackId; one is generated when absent. Retries keep it. */
  ackId?: number;
  /** Cancels waiting (the request may still reach the service). */
  abortSignal?: AbortSignalLike;
}

/** Options of `sendEvent()`. */
export interface SendEventOptions {
  /** Send without an ackId: no ack, no retry, resolves once written. */
  fireAndForget?: boolean;
  /** The ackId; one is generated when absent. Retries keep it. */
  ackId?: number;
  /** Cancels waiting (the request may still reach the service). */
  abortSignal?: AbortSignalLike;
}

/** Options of `invokeEvent()`. */
export interface InvokeEventOptions {
  /** The invocation id; one is generated when absent. */
  invocationId?: string;
  /** Cancels waiting for the response. */
  abortSignal?: AbortSignalLike;
}
