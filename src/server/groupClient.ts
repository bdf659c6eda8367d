// The `@azure/web-pubsub` group shape, delegating to the hub client (which validates).
import type { WebPubSubOperationOptions } from "./options.js";
import type { GroupMember, PagedAsyncIterableIterator } from "./paging.js";
import type { CloseConnectionsOptions, ListConnectionsOptions, SendToAllOptions, WebPubSubServiceClient } from "./serviceClient.js";

/**
 * Operations on one group of a hub, from `client.group(name)`.
 * @example
 * ```ts
 * const room = client.group("room");
 * await room.addUser("alice");
 * await room.sendToAll({ text: "hi" });
 * for await (const member of room.listConnections()) console.log(member.connectionId);
 * ```
 */
export class WebPubSubGroup {
  /** The group name. */
  readonly groupName: string;
  /** The hub name. */
  readonly hubName: string;
  /** The service endpoint (set, unlike `@azure/web-pubsub`'s). */
  readonly endpoint: string;
  /** The REST API version. */
  readonly apiVersion: string;
  readonly #client: WebPubSubServiceClient;

  /** Use `client.group(name)`. */
  constructor(client: WebPubSubServiceClient, groupName: string) {
    this.#client = client;
    this.groupName = groupName;
    this.hubName = client.hubName;
    this.endpoint = client.endpoint;
    this.apiVersion = client.apiVersion;
  }

  /** Adds a connection to the group (the service answers 404 for an unknown connection). */
  addConnection(connectionId: string, options?: WebPubSubOperationOptions): Promise<void> {
    return this.#client.addConnectionToGroup(this.groupName, connectionId, options);
  }
  /** Removes a connection from the group. */
  removeConnection(connectionId: string, options?: WebPubSubOperationOptions): Promise<void> {
    return this.#client.removeConnectionFromGroup(this.groupName, connectionId, options);
  }
  /** Adds a user to the group. */
  addUser(userId: string, options?: WebPubSubOperationOptions): Promise<void> {
    return this.#client.addUserToGroup(this.groupName, userId, options);
  }
  /** Removes a user from the group. */
  removeUser(userId: string, options?: WebPubSubOperationOptions): Promise<void> {
    return this.#client.removeUserFromGroup(this.groupName, userId, options);
  }
  /** Sends to every connection in the group (same content rules as `sendToGroup`). */
  sendToAll(message: unknown, options?: SendToAllOptions): Promise<void> {
    return this.#client.sendToGroup(this.groupName, message, options);
  }
  /** Closes every connection in the group. */
  closeAllConnections(options?: CloseConnectionsOptions): Promise<void> {
    return this.#client.closeGroupConnections(this.groupName, options);
  }
  /** Lists the group's connections (returned directly, not in a Promise). */
  listConnections(options?: ListConnectionsOptions): PagedAsyncIterableIterator<GroupMember> {
    return this.#client.listConnectionsInGroup(this.groupName, options);
  }
  /** True when the group has at least one connection. */
  exists(options?: WebPubSubOperationOptions): Promise<boolean> {
    return this.#client.groupExists(this.groupName, options);
  }
}
