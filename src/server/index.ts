// Public surface of the service client.
export { WebPubSubServiceClient, logger } from "./serviceClient.js";
export type {
  SendOptions,
  SendToAllOptions,
  SendToUserOptions,
  SendToConnectionOptions,
  CloseConnectionOptions,
  CloseConnectionsOptions,
  PermissionOptions,
  ListConnectionsOptions,
  FromEnvironmentOptions,
} from "./serviceClient.js";
export { WebPubSubGroup } from "./groupClient.js";
export type { WebPubSubServiceClientOptions, WebPubSubOperationOptions } from "./options.js";
export type { GetClientAccessTokenOptions, ClientAccessToken } from "./clientToken.js";
export type { GroupMember, PageSettings, Page, PagedAsyncIterableIterator } from "./paging.js";
export type { Permission, ClientProtocol } from "./validate.js";
export type { MessageContentType, BinaryMessage, NodeReadableLike } from "./content.js";
export { odata, type ODataValue } from "./odata.js";
export { redactUrl, redactHeaders, redactText, KEY_POLICY_NAME, REVERSE_PROXY_POLICY_NAME, TRACING_POLICY_NAME, LOGGING_POLICY_NAME, type LogSink } from "./policies.js";
export { SUPPORTED_API_VERSIONS, DEFAULT_API_VERSION } from "./rest.js";
// The @azure/web-pubsub names, deprecated, for code switching packages.
export type * from "./compat.js";
