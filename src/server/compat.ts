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

/** @deprecated The `@azure/web-pubsub` name; use {@link SendToAllOptions}. */
export type HubSendToAllOptions = SendToAllOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToAllOptions}. */
export type HubSendTextToAllOptions = SendToAllOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToUserOptions}. */
export type HubSendToUserOptions = SendToUserOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToUserOptions}. */
export type HubSendTextToUserOptions = SendToUserOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToConnectionOptions}. */
export type HubSendToConnectionOptions = SendToConnectionOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToConnectionOptions}. */
export type HubSendTextToConnectionOptions = SendToConnectionOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link CloseConnectionOptions}. */
export type HubCloseConnectionOptions = CloseConnectionOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link CloseConnectionsOptions}. */
export type HubCloseAllConnectionsOptions = CloseConnectionsOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link CloseConnectionsOptions}. */
export type HubCloseUserConnectionsOptions = CloseConnectionsOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type HasConnectionOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type HubHasGroupOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type HubHasUserOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type HubRemoveUserFromAllGroupsOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link PermissionOptions}. */
export type HubGrantPermissionOptions = PermissionOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link PermissionOptions}. */
export type HubRevokePermissionOptions = PermissionOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link PermissionOptions}. */
export type HubHasPermissionOptions = PermissionOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link GetClientAccessTokenOptions}. */
export type GenerateClientTokenOptions = GetClientAccessTokenOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link ClientAccessToken} (which adds `expiresOn`). */
export type ClientTokenResponse = ClientAccessToken;
/** @deprecated The `@azure/web-pubsub` name; use {@link ClientProtocol}. */
export type WebPubSubClientProtocol = ClientProtocol;
/** @deprecated The `@azure/web-pubsub` name; use {@link GroupMember}. */
export type WebPubSubGroupMember = GroupMember;
/** @deprecated The `@azure/web-pubsub` name; use {@link ListConnectionsOptions}. */
export type GroupListConnectionsOptions = ListConnectionsOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToAllOptions}. */
export type GroupSendToAllOptions = SendToAllOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link SendToAllOptions}. */
export type GroupSendTextToAllOptions = SendToAllOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link CloseConnectionsOptions}. */
export type GroupCloseAllConnectionsOptions = CloseConnectionsOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type GroupAddConnectionOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type GroupRemoveConnectionOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type GroupAddUserOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type GroupRemoveUserOptions = WebPubSubOperationOptions;
/** @deprecated The `@azure/web-pubsub` name; use {@link WebPubSubOperationOptions}. */
export type GroupHasUserOptions = WebPubSubOperationOptions;
/**
 * @deprecated The `@azure/web-pubsub` name for what `sendToAll` and friends take as JSON. Any
 * value is accepted here (`unknown`); the content rules in the README decide how it is sent.
 */
export type JSONTypes = string | number | boolean | object;
