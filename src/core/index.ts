// Pure helpers shared by the service client, the emulator, the handler and the client. No I/O.
export * from "./errors.js";
export * from "./jwt.js";
export * from "./connectionString.js";
export * from "./cloudEvents.js";
export * from "./rules.js";
export * from "./redact.js";
export * from "./clientAccess.js";
export * from "./mediaType.js";
export { loadBuiltinModule } from "./builtin.js";
export { bytesToBase64Url, base64UrlToBytes, textToBase64Url, textToBase64, base64ToText } from "./base64url.js";
export * from "./protocol/index.js";
export { PACKAGE_VERSION } from "./version.js";
export { VERBOSE } from "./verbose.js";
