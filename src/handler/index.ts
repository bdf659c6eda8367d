/**
 * Upstream event handler for Azure Web PubSub: receives the service's CloudEvents with their
 * signature verified, as a Fetch handler, a node:http listener or Express middleware.
 *
 * @packageDocumentation
 */
export { WebPubSubEventHandler } from "./handler.js";
export type { ExpressLikeRequest, ExpressMiddleware } from "./express.js";
export type { NodeRequestListener } from "./node.js";
export type { EventErrorBody, EventErrorCode } from "./errors.js";
export { MqttDisconnectReasonCode, MqttV311ConnectReturnCode, MqttV500ConnectReasonCode } from "./mqtt.js";
export type * from "./types.js";
