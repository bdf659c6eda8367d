// The typed messages of json[.reliable].webpubsub.azure.v1 (docs/protocol.md#frames).
// Frames hold the wire form of `data`: base64 text for binary (see data.ts to convert).
import type { WebPubSubDataType } from "./constants.js";

/** Client -> service: join a group. */
export interface JoinGroupFrame {
  type: "joinGroup";
  group: string;
  ackId?: number;
}
/** Client -> service: leave a group. */
export interface LeaveGroupFrame {
  type: "leaveGroup";
  group: string;
  ackId?: number;
}
/** Client -> service: publish to a group. */
export interface SendToGroupFrame {
  type: "sendToGroup";
  group: string;
  ackId?: number;
  noEcho?: boolean;
  /** Accepted by the emulator (0-300); messages still go out at once. */
  ttlSeconds?: number;
  dataType: WebPubSubDataType;
  data: unknown;
}
/** Client -> service: a user event for the upstream handler. */
export interface SendEventFrame {
  type: "event";
  event: string;
  ackId?: number;
  dataType: WebPubSubDataType;
  data: unknown;
}
/** Client -> service: a user event that expects an `invokeResponse`. */
export interface InvokeFrame {
  type: "invoke";
  invocationId: string;
  target: "event";
  event: string;
  dataType: WebPubSubDataType;
  data: unknown;
}
/** Client -> service: every message up to `sequenceId` arrived (reliable protocol). */
export interface SequenceAckFrame {
  type: "sequenceAck";
  sequenceId: number;
}
/** Client -> service: keep-alive; answered with a pong. */
export interface PingFrame {
  type: "ping";
}
/** Every message a client sends. */
export type ClientFrame =
  | JoinGroupFrame
  | LeaveGroupFrame
  | SendToGroupFrame
  | SendEventFrame
  | InvokeFrame
  | SequenceAckFrame
  | PingFrame;

/** Error of a negative ack or a failed invocation. */
export interface FrameError {
  name: string;
  message: string;
}
/** Service -> client: outcome of a request that carried an ackId. */
export interface AckFrame {
  type: "ack";
  ackId: number;
  success: boolean;
  error?: FrameError;
}
/** Service -> client: a message from the server (REST send or an event handler's reply). */
export interface ServerDataFrame {
  type: "message";
  from: "server";
  dataType: WebPubSubDataType;
  data: unknown;
  sequenceId?: number;
}
/** Service -> client: a message published to a group the client is in. */
export interface GroupDataFrame {
  type: "message";
  from: "group";
  group: string;
  fromUserId?: string | null;
  dataType: WebPubSubDataType;
  data: unknown;
  sequenceId?: number;
}
/** Service -> client: sent once the connection is open. */
export interface ConnectedFrame {
  type: "system";
  event: "connected";
  connectionId: string;
  userId?: string | null;
  /** Reliable protocol only: the secret that lets the client recover this connection. */
  reconnectionToken?: string;
}
/** Service -> client: sent just before the service closes the connection. */
export interface DisconnectedFrame {
  type: "system";
  event: "disconnected";
  message: string;
}
/** Service -> client: answer to a ping. */
export interface PongFrame {
  type: "pong";
}
/** Service -> client: the outcome of an invoke. */
export interface InvokeResponseFrame {
  type: "invokeResponse";
  invocationId: string;
  success?: boolean;
  dataType?: WebPubSubDataType;
  data?: unknown;
  error?: FrameError;
}
/** Every message the service sends. */
export type ServiceFrame =
  | AckFrame
  | ServerDataFrame
  | GroupDataFrame
  | ConnectedFrame
  | DisconnectedFrame
  | PongFrame
  | InvokeResponseFrame;

/** The `type` of any client frame. */
export type ClientFrameType = ClientFrame["type"];
/** The `type` of any service frame. */
export type ServiceFrameType = ServiceFrame["type"];
