// The client WebSocket side of the emulator: handshake, connections, one file per
// subprotocol behind one Protocol interface, and fan-out. Built on src/core/protocol.
export { ClientEndpoint, type ClientEndpointOptions } from "./endpoint.js";
export { refuse } from "./handshake.js";
export { ClientConnection, truncateUtf8, MAX_OUTBOUND_BYTES } from "./connection.js";
export { deliverAll, publishToGroup, type Recipient } from "./fanout.js";
export { dataTypeOfContentType, isValidJson, OutboundMessage, type DataType, type MessageSource, type Payload } from "./message.js";
export { RECOVERY_WINDOW_MS, MAX_UNACKED_BYTES, MAX_UNACKED_MESSAGES } from "./reliableProtocol.js";
export { MAX_WAITING_BYTES, MAX_WAITING_FRAMES } from "./inboundQueue.js";
export type { Protocol, ProtocolHost, ProtocolKind, RawPublish } from "./protocol.js";
