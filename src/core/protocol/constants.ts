// Names fixed by the Web PubSub client protocols (docs/protocol.md#websocket-client-protocol).

/** The JSON subprotocol: acks, groups and events over text frames. */
export const JSON_SUBPROTOCOL = "json.webpubsub.azure.v1";
/** The reliable JSON subprotocol: the JSON one plus sequence ids and recovery. */
export const RELIABLE_JSON_SUBPROTOCOL = "json.reliable.webpubsub.azure.v1";

/** How a payload is typed on the wire: text is a string, json any JSON value, binary base64. */
export type WebPubSubDataType = "text" | "json" | "binary";
/** Every data type, in the order the protocol documents them. */
export const DATA_TYPES: readonly WebPubSubDataType[] = ["text", "json", "binary"];

/** The `error.name` of a negative ack. */
export type AckErrorName = "Forbidden" | "InternalServerError" | "Duplicate" | "BadRequest";

/**
 * Client message types that newer clients send but this protocol core does not model
 * (streams, group state, invocation cancel). Decoders report them as `unsupported-type`.
 */
export const UNSUPPORTED_CLIENT_TYPES: readonly string[] = [
  "invokeResponse",
  "cancelInvocation",
  "streamData",
  "streamEnd",
  "setGroupState",
  "subscribeGroupState",
  "unsubscribeGroupState",
];

// Group, TTL and event-name rules are shared with REST and the upstream: defined once in
// rules.ts, and re-exported here under the protocol's names.
export {
  isValidEventName,
  isValidGroup as isValidGroupName,
  isValidTtl,
  MAX_GROUP_LENGTH as MAX_GROUP_NAME_LENGTH,
} from "../rules.js";

/** True for an id the protocol carries as a uint64 that JavaScript can hold exactly. */
export function isUint(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
