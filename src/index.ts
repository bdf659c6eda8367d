/**
 * Azure Web PubSub for TypeScript: the hub-scoped service client (REST operations, client
 * access tokens, filters, typed errors). The local emulator is in `webpubsub-service/emulator`.
 *
 * @packageDocumentation
 */
// Package root: re-exports only.
export * from "./server/index.js";
export { AzureKeyCredential } from "@azure/core-auth";
export type { KeyCredential, TokenCredential } from "@azure/core-auth";
export {
  WebPubSubError,
  ServiceError,
  isWebPubSubError,
  parseConnectionString,
  formatConnectionString,
  type WebPubSubErrorCode,
  type WebPubSubErrorOptions,
  type ServiceErrorDetails,
  type ParsedConnectionString,
  type JwtHeaders,
} from "./core/index.js";
