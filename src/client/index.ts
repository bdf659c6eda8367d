/**
 * The WebSocket client of Azure Web PubSub, for browsers and Node: the shape of
 * `@azure/web-pubsub-client`, with recovery events, ack timeouts and retries that keep their ackId.
 *
 * @packageDocumentation
 */
// Public face of webpubsub-service/client.
export { WebPubSubClient } from "./webPubSubClient.js";
export { SendMessageError, InvocationError, ConnectionError } from "./errors.js";
export type { AckMessageError, SendMessageErrorOptions, InvocationErrorOptions, ConnectionErrorOptions } from "./errors.js";
export { WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "./options.js";
export type { WebPubSubClientOptions, WebPubSubClientCredential, WebPubSubClientProtocol, GetClientAccessUrlOptions } from "./options.js";
export type { WebPubSubRetryOptions, RetryMode } from "./retry.js";
export type { AbortSignalLike } from "./ackTracker.js";
export type { WebSocketLike, WebSocketFactory, WebSocketConstructorLike } from "./webSocketLike.js";
export type { Listener } from "./emitter.js";
export type * from "./messages.js";
export { isWebPubSubError, WebPubSubError } from "../core/index.js";
export type { WebPubSubErrorCode, WebPubSubErrorOptions } from "../core/index.js";
