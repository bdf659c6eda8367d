// The data-plane operations (docs/protocol.md#operations), with Microsoft's emulator's answers for
// missing targets: sends 202, closes and removals 204, adds 404.
import { buildClientTokenClaims, clientPathPrefix, CloseCode, mediaTypeOf, MESSAGE_TTL_SECONDS, PAGE_SIZE, signJwtSync, TOKEN_MINUTES } from "../../core/index.js";
import { badRequest, notFound, RestError } from "../errors.js";
import { dataTypeOfContentType, deliverAll, isValidJson, OutboundMessage, type ClientConnection, type MessageSource, type Payload } from "../ws/index.js";
import { parsePermission, type GroupPermission } from "../permissions.js";
import { compileFilter, selectConnections } from "../selection.js";
import { isValidGroup, parseInteger } from "../validation.js";
import type { Handler, RestCall, RestReply } from "./router.js";
import type { OperationName } from "./routes.js";

const DEFAULT_CLOSE_REASON = "Closed by REST API.";
const DEFAULT_PAGE_SIZE = 100;

const ACCEPTED: RestReply = { status: 202 };
const NO_CONTENT: RestReply = { status: 204 };
const OK: RestReply = { status: 200 };

/**
 * The handler of every spec operation, by name. The type demands one per operation in the
 * generated route table, so a new operation in spec/ fails the type check until it is served.
 * The health probe is answered by the router itself: it is anonymous and outside any hub.
 */
export const HANDLERS: Record<Exclude<OperationName, "getServiceStatus">, Handler> = {
  sendToAll,
  closeAllConnections: closeAll,
  generateClientToken: generateToken,
  addConnectionsToGroups: (c) => groupsByFilter(c, true),
  removeConnectionsFromGroups: (c) => groupsByFilter(c, false),
  connectionExists,
  closeConnection,
  sendToConnection,
  removeConnectionFromAllGroups,
  groupExists,
  sendToGroup,
  closeGroupConnections: closeGroup,
  listConnectionsInGroup: listGroupConnections,
  addConnectionToGroup,
  removeConnectionFromGroup,
  grantPermission,
  checkPermission,
  revokePermission,
  userExists,
  sendToUser,
  closeUserConnections: closeUser,
  removeUserFromAllGroups,
  addUserToGroup,
  removeUserFromGroup,
};

// ---- sends -------------------------------------------------------------------------------

async function sendToAll(c: RestCall): Promise<RestReply> {
  const { excluded, filter } = selectionQuery(c);
  const payload = await readMessage(c);
  deliver(selectConnections(c.hub.connections.values(), excluded, filter), payload, { from: "server" });
  return ACCEPTED;
}

async function sendToGroup(c: RestCall): Promise<RestReply> {
  const group = groupParam(c);
  const { excluded, filter } = selectionQuery(c);
  const payload = await readMessage(c);
  // Microsoft's emulator shows REST group sends as group messages (docs/protocol.md#operations).
  const pool = c.hub.groupMembers(group).keys();
  deliver(selectConnections(pool, excluded, filter), payload, { from: "group", group, fromUserId: null });
  return ACCEPTED;
}

async function sendToUser(c: RestCall): Promise<RestReply> {
  const { filter } = selectionQuery(c);
  const payload = await readMessage(c);
  deliver(selectConnections(c.hub.userConnections(param(c, "userId")), new Set(), filter), payload, { from: "server" });
  return ACCEPTED;
}

async function sendToConnection(c: RestCall): Promise<RestReply> {
  ttl(c);
  const payload = await readMessage(c);
  const conn = connectionParam(c);
  if (conn) deliver([conn], payload, { from: "server" });
  return ACCEPTED;
}

function deliver(targets: readonly ClientConnection[], payload: Payload, source: MessageSource): void {
  deliverAll(targets, new OutboundMessage(payload, source));
}

/** Reads a send body by Content-Type (docs/protocol.md#send-bodies): none is binary, JSON must parse, others 415. */
async function readMessage(c: RestCall): Promise<Payload> {
  const contentType = c.req.headers["content-type"];
  const dataType = dataTypeOfContentType(contentType);
  if (dataType === undefined) {
    throw new RestError(
      415,
      "Error.UnsupportedMediaType",
      "Content-Type must be text/plain, application/json or application/octet-stream.",
      "Content-Type",
    );
  }
  const data = await c.body();
  if (dataType === "json" && !isValidJson(data.toString("utf8"))) {
    throw badRequest("The body is not valid JSON.", "message");
  }
  return { dataType, data };
}

// ---- closes ------------------------------------------------------------------------------

function closeAll(c: RestCall): RestReply {
  return closeEach(c, c.hub.connections.values());
}

function closeGroup(c: RestCall): RestReply {
  return closeEach(c, c.hub.groupMembers(groupParam(c)).keys());
}

function closeUser(c: RestCall): RestReply {
  return closeEach(c, c.hub.userConnections(param(c, "userId")));
}

function closeConnection(c: RestCall): RestReply {
  const conn = connectionParam(c);
  conn?.close(CloseCode.Normal, reason(c));
  return NO_CONTENT;
}

function closeEach(c: RestCall, pool: Iterable<ClientConnection>): RestReply {
  const why = reason(c);
  for (const conn of selectConnections(pool, excludedQuery(c), undefined)) conn.close(CloseCode.Normal, why);
  return NO_CONTENT;
}

function reason(c: RestCall): string {
  const text = c.query.get("reason");
  return text === null || text === "" ? DEFAULT_CLOSE_REASON : text;
}

// ---- existence ---------------------------------------------------------------------------

function connectionExists(c: RestCall): RestReply {
  return exists(connectionParam(c) !== undefined, "connection");
}

function groupExists(c: RestCall): RestReply {
  return exists(c.hub.hasGroup(groupParam(c)), "group");
}

function userExists(c: RestCall): RestReply {
  return exists(c.hub.userConnections(param(c, "userId")).size > 0, "user");
}

function exists(found: boolean, what: string): RestReply {
  if (found) return OK;
  throw notFound(`The ${what} does not exist.`);
}

// ---- groups ------------------------------------------------------------------------------

function addConnectionToGroup(c: RestCall): RestReply {
  const group = groupParam(c);
  const conn = existingConnection(c);
  c.hub.join(conn, group);
  return OK;
}

function removeConnectionFromGroup(c: RestCall): RestReply {
  const group = groupParam(c);
  const conn = connectionParam(c);
  if (conn) c.hub.leave(conn, group);
  return NO_CONTENT;
}

function removeConnectionFromAllGroups(c: RestCall): RestReply {
  const conn = connectionParam(c);
  if (conn) c.hub.leaveAll(conn);
  return NO_CONTENT;
}

function addUserToGroup(c: RestCall): RestReply {
  const group = groupParam(c);
  // Only the user's current connections join (404 when there are none, docs/protocol.md#operations).
  const conns = [...c.hub.userConnections(param(c, "userId"))];
  if (conns.length === 0) throw notFound("The user has no connections.", "userId");
  for (const conn of conns) c.hub.join(conn, group);
  return OK;
}

function removeUserFromGroup(c: RestCall): RestReply {
  const group = groupParam(c);
  for (const conn of [...c.hub.userConnections(param(c, "userId"))]) c.hub.leave(conn, group);
  return NO_CONTENT;
}

function removeUserFromAllGroups(c: RestCall): RestReply {
  for (const conn of [...c.hub.userConnections(param(c, "userId"))]) c.hub.leaveAll(conn);
  return NO_CONTENT;
}

async function groupsByFilter(c: RestCall, add: boolean): Promise<RestReply> {
  if (mediaTypeOf(c.req.headers["content-type"]) !== "application/json") {
    throw new RestError(415, "Error.UnsupportedMediaType", "Content-Type must be application/json.", "Content-Type");
  }
  let body: unknown;
  try {
    body = JSON.parse((await c.body()).toString("utf8"));
  } catch {
    throw badRequest("The body is not valid JSON.", "groupsToAdd");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The body must be an object with 'groups' and an optional 'filter'.", "body");
  }
  const { groups, filter } = body as { groups?: unknown; filter?: unknown };
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every(isValidGroup)) {
    throw badRequest("'groups' must be a non-empty array of valid group names.", "groups");
  }
  if (filter !== undefined && filter !== null && typeof filter !== "string") {
    throw badRequest("'filter' must be a string.", "filter");
  }
  // An empty or absent filter selects every connection (docs/protocol.md#odata-filters).
  const compiled = compileFilter(filter);
  for (const conn of selectConnections(c.hub.connections.values(), new Set(), compiled)) {
    for (const group of groups as string[]) {
      if (add) c.hub.join(conn, group);
      else c.hub.leave(conn, group);
    }
  }
  return OK;
}

/** Pages through a group's members; tokens hold the last ordinal seen (see HubState). */
function listGroupConnections(c: RestCall): RestReply {
  const group = groupParam(c);
  const pageSize = intQuery(c, "maxpagesize", PAGE_SIZE.min, PAGE_SIZE.max) ?? DEFAULT_PAGE_SIZE;
  const top = intQuery(c, "top", 1, 2147483647);
  const after = continuation(c);
  const limit = top === undefined ? pageSize : Math.min(pageSize, top);
  const value: { connectionId: string; userId?: string }[] = [];
  let lastOrdinal = after;
  let more = false;
  for (const [conn, ordinal] of c.hub.groupMembers(group)) {
    if (ordinal <= after) continue;
    if (value.length === limit) {
      more = true;
      break;
    }
    value.push(conn.userId === null ? { connectionId: conn.id } : { connectionId: conn.id, userId: conn.userId });
    lastOrdinal = ordinal;
  }
  const remaining = top === undefined ? undefined : top - value.length;
  if (!more || remaining === 0) return { status: 200, body: { value } };
  const link = new URLSearchParams({ maxpagesize: String(pageSize), continuationToken: encodeToken(lastOrdinal) });
  if (remaining !== undefined) link.set("top", String(remaining));
  link.set("api-version", c.apiVersion);
  const base = `http://${c.host}/api/hubs/${c.rawHub}/groups/${encodeURIComponent(group)}/connections`;
  return { status: 200, body: { value, nextLink: `${base}?${link.toString()}` } };
}

function encodeToken(ordinal: number): string {
  return Buffer.from(`after:${ordinal}`).toString("base64url");
}

function continuation(c: RestCall): number {
  const token = c.query.get("continuationToken");
  if (token === null || token === "") return 0;
  const m = /^after:(\d{1,15})$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m) throw badRequest("The continuation token is not valid.", "continuationToken");
  return Number(m[1]);
}

// ---- permissions -------------------------------------------------------------------------

function permissionTarget(c: RestCall): { kind: GroupPermission; target: string | undefined } {
  const kind = parsePermission(param(c, "permission"));
  if (!kind) throw badRequest("'permission' must be 'sendToGroup' or 'joinLeaveGroup'.", "permission");
  const target = c.query.get("targetName") ?? undefined;
  if (target !== undefined && !isValidGroup(target)) {
    throw badRequest("'targetName' must be 1-1024 characters and not only whitespace.", "targetName");
  }
  return { kind, target };
}

function grantPermission(c: RestCall): RestReply {
  const { kind, target } = permissionTarget(c);
  const conn = existingConnection(c);
  conn.permissions.grant(kind, target);
  return OK;
}

function revokePermission(c: RestCall): RestReply {
  const { kind, target } = permissionTarget(c);
  connectionParam(c)?.permissions.revoke(kind, target);
  return NO_CONTENT;
}

function checkPermission(c: RestCall): RestReply {
  const { kind, target } = permissionTarget(c);
  const conn = connectionParam(c);
  return exists(conn !== undefined && conn.permissions.check(kind, target), "permission");
}

// ---- tokens ------------------------------------------------------------------------------

/**
 * Mints a client token. Only Default tokens: the emulator serves no MQTT or Socket.IO
 * endpoint, so minting tokens for them would hand out tokens nothing accepts
 * (docs/protocol.md#client-access-tokens).
 */
function generateToken(c: RestCall): RestReply {
  const minutes = intQuery(c, "minutesToExpire", TOKEN_MINUTES.min, 2147483647) ?? TOKEN_MINUTES.default;
  const clientType = c.query.get("clientType") ?? "Default";
  if (clientType.toLowerCase() === "mqtt") {
    throw badRequest("The emulator does not serve MQTT clients, so it does not mint MQTT tokens; use 'Default'.", "clientType");
  }
  if (clientType.toLowerCase() !== "default") throw badRequest("'clientType' must be 'Default' or 'MQTT'.", "clientType");
  const groups = c.query.getAll("group");
  if (!groups.every(isValidGroup)) throw badRequest("Every 'group' must be a valid group name.", "group");
  const claims = buildClientTokenClaims({
    // The hub as the caller wrote it, unescaped, as the official SDKs sign it.
    audience: `http://${c.host}${clientPathPrefix("default")}${c.rawHub}`,
    userId: c.query.get("userId") ?? undefined,
    roles: c.query.getAll("role"),
    groups,
    nowSeconds: Math.floor(Date.now() / 1000),
    expiresInMinutes: minutes,
  });
  return { status: 200, body: { token: signJwtSync(claims, c.runtime.accessKey) } };
}

// ---- query and path helpers --------------------------------------------------------------

function param(c: RestCall, name: string): string {
  return c.params[name] ?? "";
}

/** The `{connectionId}` connection of the hub, if it is there. */
function connectionParam(c: RestCall): ClientConnection | undefined {
  return c.hub.connections.get(param(c, "connectionId"));
}

/** The `{connectionId}` connection, or 404 for operations that need it (docs/protocol.md#operations). */
function existingConnection(c: RestCall): ClientConnection {
  const conn = connectionParam(c);
  if (!conn) throw notFound("The connection does not exist.", "connectionId");
  return conn;
}

function groupParam(c: RestCall): string {
  const group = param(c, "group");
  if (!isValidGroup(group)) throw badRequest("The group name must be 1-1024 characters and not only whitespace.", "group");
  return group;
}

function excludedQuery(c: RestCall): Set<string> {
  return new Set(c.query.getAll("excluded"));
}

function selectionQuery(c: RestCall): { excluded: Set<string>; filter: ReturnType<typeof compileFilter> } {
  ttl(c);
  return { excluded: excludedQuery(c), filter: compileFilter(c.query.get("filter")) };
}

// TTL is validated, but messages go out at once, as Microsoft's emulator does (docs/protocol.md#naming-rules-and-limits).
function ttl(c: RestCall): void {
  intQuery(c, "messageTtlSeconds", MESSAGE_TTL_SECONDS.min, MESSAGE_TTL_SECONDS.max);
}

function intQuery(c: RestCall, name: string, min: number, max: number): number | undefined {
  const text = c.query.get(name);
  if (text === null) return undefined;
  const n = parseInteger(text);
  if (n === undefined || n < min || n > max) throw badRequest(`'${name}' must be an integer from ${min} to ${max}.`, name);
  return n;
}
