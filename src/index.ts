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
  type JwtHeaders,
} from "./core/index.js";
