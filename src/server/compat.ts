// The names @azure/web-pubsub exports, as deprecated aliases of ours, so switching packages
// compiles before it is tidied. Each alias points at the type that takes the same options.
import type { ClientAccessToken, GetClientAccessTokenOptions } from "./clientToken.js";
import type { WebPubSubOperationOptions } from "./options.js";
import type { GroupMember } from "./paging.js";
import type {
  CloseConnectionOptions,
  CloseConnectionsOptions,
  ListConnectionsOptions,
  PermissionOptions,
  SendToAllOptions,
  SendToConnectionOptions,
  SendToUserOptions,
} from "./serviceClient.js";
import type { ClientProtocol } from "./validate.js";

/**
 * The `@azure/web-pubsub` name of {@link SendToAllOptions}.
 * @deprecated Use {@link SendToAllOptions}.
 */
export type HubSendToAllOptions = SendToAllOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToAllOptions}.
 * @deprecated Use {@link SendToAllOptions}.
 */
export type HubSendTextToAllOptions = SendToAllOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToUserOptions}.
 * @deprecated Use {@link SendToUserOptions}.
 */
export type HubSendToUserOptions = SendToUserOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToUserOptions}.
 * @deprecated Use {@link SendToUserOptions}.
 */
export type HubSendTextToUserOptions = SendToUserOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToConnectionOptions}.
 * @deprecated Use {@link SendToConnectionOptions}.
 */
export type HubSendToConnectionOptions = SendToConnectionOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToConnectionOptions}.
 * @deprecated Use {@link SendToConnectionOptions}.
 */
export type HubSendTextToConnectionOptions = SendToConnectionOptions;
/**
 * The `@azure/web-pubsub` name of {@link CloseConnectionOptions}.
 * @deprecated Use {@link CloseConnectionOptions}.
 */
export type HubCloseConnectionOptions = CloseConnectionOptions;
/**
 * The `@azure/web-pubsub` name of {@link CloseConnectionsOptions}.
 * @deprecated Use {@link CloseConnectionsOptions}.
 */
export type HubCloseAllConnectionsOptions = CloseConnectionsOptions;
/**
 * The `@azure/web-pubsub` name of {@link CloseConnectionsOptions}.
 * @deprecated Use {@link CloseConnectionsOptions}.
 */
export type HubCloseUserConnectionsOptions = CloseConnectionsOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type HasConnectionOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type HubHasGroupOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type HubHasUserOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type HubRemoveUserFromAllGroupsOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link PermissionOptions}.
 * @deprecated Use {@link PermissionOptions}.
 */
export type HubGrantPermissionOptions = PermissionOptions;
/**
 * The `@azure/web-pubsub` name of {@link PermissionOptions}.
 * @deprecated Use {@link PermissionOptions}.
 */
export type HubRevokePermissionOptions = PermissionOptions;
/**
 * The `@azure/web-pubsub` name of {@link PermissionOptions}.
 * @deprecated Use {@link PermissionOptions}.
 */
export type HubHasPermissionOptions = PermissionOptions;
/**
 * The `@azure/web-pubsub` name of {@link GetClientAccessTokenOptions}.
 * @deprecated Use {@link GetClientAccessTokenOptions}.
 */
export type GenerateClientTokenOptions = GetClientAccessTokenOptions;
/**
 * The `@azure/web-pubsub` name of {@link ClientAccessToken} (which adds `expiresOn`).
 * @deprecated Use {@link ClientAccessToken}.
 */
export type ClientTokenResponse = ClientAccessToken;
/**
 * The `@azure/web-pubsub` name of {@link ClientProtocol}.
 * @deprecated Use {@link ClientProtocol}.
 */
export type WebPubSubClientProtocol = ClientProtocol;
/**
 * The `@azure/web-pubsub` name of {@link GroupMember}.
 * @deprecated Use {@link GroupMember}.
 */
export type WebPubSubGroupMember = GroupMember;
/**
 * The `@azure/web-pubsub` name of {@link ListConnectionsOptions}.
 * @deprecated Use {@link ListConnectionsOptions}.
 */
export type GroupListConnectionsOptions = ListConnectionsOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToAllOptions}.
 * @deprecated Use {@link SendToAllOptions}.
 */
export type GroupSendToAllOptions = SendToAllOptions;
/**
 * The `@azure/web-pubsub` name of {@link SendToAllOptions}.
 * @deprecated Use {@link SendToAllOptions}.
 */
export type GroupSendTextToAllOptions = SendToAllOptions;
/**
 * The `@azure/web-pubsub` name of {@link CloseConnectionsOptions}.
 * @deprecated Use {@link CloseConnectionsOptions}.
 */
export type GroupCloseAllConnectionsOptions = CloseConnectionsOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type GroupAddConnectionOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type GroupRemoveConnectionOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type GroupAddUserOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type GroupRemoveUserOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name of {@link WebPubSubOperationOptions}.
 * @deprecated Use {@link WebPubSubOperationOptions}.
 */
export type GroupHasUserOptions = WebPubSubOperationOptions;
/**
 * The `@azure/web-pubsub` name for what `sendToAll` and friends take as JSON. Ours accept any
 * value (`unknown`); the content rules in the README decide how it is sent.
 * @deprecated Type messages as the values they are.
 */
export type JSONTypes = string | number | boolean | object;
