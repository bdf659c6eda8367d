// Public request, response and option types. Names and shapes follow @azure/web-pubsub-express
// 1.1.0, so code written for it compiles against these with an import change.
import type { MqttConnectProperties, MqttUserProperty } from "../core/index.js";
import type { MqttDisconnectReasonCode, MqttV311ConnectReturnCode, MqttV500ConnectReasonCode } from "./mqtt.js";

/** The protocol family of the client connection. */
export type WebPubSubClientProtocol = "default" | "mqtt";

/** The client connection an event is about, read from the `ce-*` headers. */
export interface ConnectionContext {
  /** The `ce-signature` header, already verified against the access keys unless verification is off. */
  signature: string;
  /** The hub the connection belongs to. */
  hub: string;
  /** The connection id assigned by the service. */
  connectionId: string;
  /** The event name (`connect`, `message`, …). */
  eventName: string;
  /** The `WebHook-Request-Origin` host that sent the event. */
  origin: string;
  /** The user id of the connection, if any. */
  userId?: string;
  /** The WebSocket subprotocol of the connection, if any. */
  subprotocol?: string;
  /** Connection state set by earlier replies (`setState`); lives as long as the connection. */
  states: Record<string, any>;
  /** `mqtt` for MQTT clients, else `default`. */
  clientProtocol: WebPubSubClientProtocol;
  /** MQTT connection identifiers (MQTT clients only). */
  mqtt?: MqttConnectionContextProperties;
}

/** MQTT identifiers of a connection. */
export interface MqttConnectionContextProperties {
  /** The physical network connection id. */
  physicalConnectionId: string;
  /** The MQTT session id. */
  sessionId?: string;
}

/** A client certificate presented on connect. */
export interface Certificate {
  /** Certificate thumbprint. */
  thumbprint: string;
  /** PEM content, when the service sends it. */
  content?: string;
}

/** The blocking `connect` event. Every map value is an array, as the service sends it. */
export interface ConnectRequest {
  /** The connection the event is about. */
  context: ConnectionContext;
  /** Claims of the client's access token. */
  claims?: Record<string, string[]>;
  /**
   * Query parameters of the client's WebSocket request.
   * @deprecated Use `queries`.
   */
  query?: Record<string, string[]>;
  /** Query parameters of the client's WebSocket request. */
  queries?: Record<string, string[]>;
  /** Headers of the client's WebSocket request. */
  headers?: Record<string, string[]>;
  /** WebSocket subprotocols the client offered. */
  subprotocols?: string[];
  /** Client certificates, when client certificate auth is on. */
  clientCertificates?: Certificate[];
}

/** The `connect` event of an MQTT client. */
export interface MqttConnectRequest extends ConnectRequest {
  /** Fields of the MQTT CONNECT packet. */
  mqtt: MqttConnectProperties;
}

// The MQTT packet fields are the wire's, defined once with the CloudEvents codec.
export type { MqttConnectProperties, MqttUserProperty } from "../core/index.js";

/** A successful `connect` reply. Every field is optional. */
export interface ConnectResponse {
  /** Groups the connection joins. */
  groups?: string[];
  /** Roles of the connection (replace the token's roles). */
  roles?: string[];
  /** The user id of the connection. */
  userId?: string;
  /** The subprotocol to accept; must be one the client offered. */
  subprotocol?: string;
}

/** A successful `connect` reply to an MQTT client. */
export interface MqttConnectResponse extends ConnectResponse {
  /** MQTT CONNACK fields. */
  mqtt?: MqttConnectResponseProperties;
}

/** MQTT CONNACK fields of a successful reply. */
export interface MqttConnectResponseProperties {
  /** MQTT 5 user properties sent in CONNACK. */
  userProperties?: MqttUserProperty[];
}

/** A `connect` refusal with an HTTP status. */
export interface ConnectErrorResponse {
  /** 400 bad request, 401 unauthorized or 500 server error. */
  code: 400 | 401 | 500;
  /** Why, sent to the service. */
  detail?: string;
}

/** A `connect` refusal with an MQTT return code. */
export interface MqttConnectErrorResponse {
  /** The MQTT refusal. */
  mqtt: MqttConnectErrorResponseProperties;
}

/** The MQTT refusal of a connect. */
export interface MqttConnectErrorResponseProperties {
  /** MQTT 3.1.1 return code or MQTT 5 reason code. */
  code: MqttV311ConnectReturnCode | MqttV500ConnectReasonCode;
  /** Reason string. */
  reason?: string;
  /** MQTT 5 user properties. */
  userProperties?: MqttUserProperty[];
}

/** The non-blocking `connected` event. */
export interface ConnectedRequest {
  /** The connection the event is about. */
  context: ConnectionContext;
}

/** The non-blocking `disconnected` event. */
export interface DisconnectedRequest {
  /** The connection the event is about. */
  context: ConnectionContext;
  /** Why the connection closed. */
  reason?: string;
}

/** The `disconnected` event of an MQTT client. */
export interface MqttDisconnectedRequest extends DisconnectedRequest {
  /** MQTT details of the disconnection. */
  mqtt: MqttDisconnectedProperties;
}

/** MQTT details of a disconnection. */
export interface MqttDisconnectedProperties {
  /** The DISCONNECT packet. */
  disconnectPacket: MqttDisconnectPacket;
  /** True when the client sent DISCONNECT. */
  initiatedByClient: boolean;
}

/** Fields of an MQTT DISCONNECT packet. */
export interface MqttDisconnectPacket {
  /** Reason code. */
  code: MqttDisconnectReasonCode;
  /** MQTT 5 user properties. */
  userProperties?: MqttUserProperty[];
}

/** The non-blocking `azure.webpubsub.gp.joined` group presence event. */
export interface GroupJoinedRequest {
  /** The connection the event is about. */
  context: ConnectionContext;
  /** The group joined. */
  group: string;
}

/** The non-blocking `azure.webpubsub.gp.left` group presence event. */
export interface GroupLeftRequest {
  /** The connection the event is about. */
  context: ConnectionContext;
  /** The group left. */
  group: string;
}

/** A blocking user event; `data` follows the body's content type. */
export type UserEventRequest =
  | {
      /** The connection the event is about. */
      context: ConnectionContext;
      /** The text, decoded as UTF-8. */
      data: string;
      /** `text/plain` body. */
      dataType: "text";
    }
  | {
      /** The connection the event is about. */
      context: ConnectionContext;
      /** The parsed JSON value. */
      data: unknown;
      /** `application/json` body. */
      dataType: "json";
    }
  | {
      /** The connection the event is about. */
      context: ConnectionContext;
      /** The bytes. */
      data: ArrayBuffer;
      /** `application/octet-stream` body. */
      dataType: "binary";
    };

/** Reply to `connect`. The first call of success/fail/failWith is the answer; later calls are ignored. */
export interface ConnectResponseHandler {
  /** Stores a value in the connection state, sent back with the reply. */
  setState(name: string, value: unknown): void;
  /** Accepts the connection; without a response the token's defaults apply (204). */
  success(response?: ConnectResponse | MqttConnectResponse): void;
  /** Refuses the connection with 400, 401 or 500 (mapped to an MQTT code for MQTT clients). */
  fail(code: 400 | 401 | 500, detail?: string): void;
  /** Refuses the connection with an HTTP code or an MQTT return code. */
  failWith(response: ConnectErrorResponse | MqttConnectErrorResponse): void;
}

/** Payloads a user event reply may carry. */
export type UserEventReplyData = string | ArrayBuffer | ArrayBufferView;

/** Reply to a user event. The first call of success/fail is the answer; later calls are ignored. */
export interface UserEventResponseHandler {
  /** Stores a value in the connection state, sent back with the reply. */
  setState(name: string, value: unknown): void;
  /**
   * Answers with data for the client; `dataType` sets the Content-Type (default binary).
   * With `json`, a string is sent as is (already JSON text) and other values are stringified.
   */
  success(data?: UserEventReplyData, dataType?: "binary" | "text" | "json"): void;
  /** Answers with a JSON value, stringified. */
  success(data: unknown, dataType: "json"): void;
  /** Fails the event: the service drops plain clients, JSON clients get an error ack. */
  fail(code: 400 | 401 | 500, detail?: string): void;
}

/** What a handler callback may return: nothing, or a promise the handler waits on. */
export type HandlerResult = void | Promise<void>;

/** Options of {@link WebPubSubEventHandler}. */
export interface WebPubSubEventHandlerOptions {
  /**
   * The exact path events arrive at (case-insensitive, trailing slash optional). Default
   * `/api/webpubsub/hubs/{hub}/`. A `{event}` segment matches the one path segment the
   * service fills from a `{event}` URL template, e.g. `/eventhandler/{event}`.
   */
  path?: string;
  /** Access keys that may sign events (`ce-signature`); list old and new during key rotation. */
  accessKeys?: readonly string[];
  /** A connection string whose AccessKey signs events. Combined with `accessKeys` if both are given. */
  connectionString?: string;
  /**
   * Turns off `ce-signature` verification: anyone who reaches the endpoint can then forge
   * `connect` and user events. Logs a warning once per handler. For tests behind a trusted proxy only.
   */
  unsafeSkipSignatureVerification?: boolean;
  /** Origins (`https://name.webpubsub.azure.com`) allowed to send events; default any. */
  allowedEndpoints?: string[];
  /** Largest event body read, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Handles `connect`; the service waits for the reply. */
  handleConnect?: (connectRequest: ConnectRequest, connectResponse: ConnectResponseHandler) => HandlerResult;
  /** Handles user events; the service waits for the reply. */
  handleUserEvent?: (userEventRequest: UserEventRequest, userEventResponse: UserEventResponseHandler) => HandlerResult;
  /** Called after `connected`; the service does not wait. */
  onConnected?: (connectedRequest: ConnectedRequest) => HandlerResult;
  /** Called after `azure.webpubsub.gp.joined`; the service does not wait. */
  onGroupJoined?: (groupJoinedRequest: GroupJoinedRequest) => HandlerResult;
  /** Called after `azure.webpubsub.gp.left`; the service does not wait. */
  onGroupLeft?: (groupLeftRequest: GroupLeftRequest) => HandlerResult;
  /** Called after `disconnected`; the service does not wait. */
  onDisconnected?: (disconnectedRequest: DisconnectedRequest) => HandlerResult;
  /**
   * Receives warnings and errors thrown by the callbacks above (never keys or signatures).
   * Default: `console.warn`.
   */
  onLog?: (level: "warning" | "error", message: string, error?: unknown) => void;
}
