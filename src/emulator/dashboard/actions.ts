// What the dashboard can make the emulator do: send, change groups, close or drop a
// connection, make a hub's event handler slow or failing, and mint a test-client URL. Each
// action validates its JSON body and answers 4xx `{code, message}` for bad input.
import { buildClientTokenClaims, clientPathPrefix, CloseCode, MAX_MESSAGE_BYTES, signJwtSync } from "../../core/index.js";
import { badRequest, notFound } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { HubState } from "../state/index.js";
import type { UpstreamFaults } from "../upstream/index.js";
import { isValidGroup, isValidHub, normalizeHub } from "../validation.js";
import { deliverAll, isValidJson, OutboundMessage, type ClientConnection, type Payload } from "../ws/index.js";

/** Minutes a test-client token lasts. */
export const TEST_CLIENT_TOKEN_MINUTES = 60;

/** What the actions need of the emulator. */
export interface ActionContext {
  readonly runtime: Runtime;
  readonly faults: UpstreamFaults;
}

type Body = Record<string, unknown>;

/** An action: the parsed JSON body in, the `200` reply's extra fields out. */
export type Action = (ctx: ActionContext, body: Body, host: string) => Record<string, unknown>;

/** The actions by path segment under /_dashboard/api/actions/ (the token route is separate). */
export const ACTIONS: Record<string, Action> = {
  send,
  group,
  close,
  drop,
  "upstream-fault": upstreamFault,
};

function send(ctx: ActionContext, body: Body): Record<string, unknown> {
  const hub = hubOf(ctx, body);
  const payload = payloadOf(body);
  const target = body["target"];
  if (!isObject(target)) throw badRequest("'target' must be an object with a 'kind'.", "target");
  let recipients: Iterable<ClientConnection>;
  let message: OutboundMessage;
  switch (target["kind"]) {
    case "all":
      recipients = [...hub.connections.values()];
      message = new OutboundMessage(payload, { from: "server" });
      break;
    case "group": {
      const name = target["name"];
      if (!isValidGroup(name)) throw badRequest("'target.name' must be a valid group name.", "target.name");
      recipients = [...hub.groupMembers(name).keys()];
      message = new OutboundMessage(payload, { from: "group", group: name, fromUserId: null });
      break;
    }
    case "user": {
      const id = stringField(target, "id", "target.id");
      recipients = [...hub.userConnections(id)];
      message = new OutboundMessage(payload, { from: "server" });
      break;
    }
    case "connection":
      recipients = [connectionOf(hub, stringField(target, "id", "target.id"))];
      message = new OutboundMessage(payload, { from: "server" });
      break;
    default:
      throw badRequest("'target.kind' must be all, group, user or connection.", "target.kind");
  }
  const list = [...recipients];
  deliverAll(list, message);
  return { recipients: list.length };
}

function group(ctx: ActionContext, body: Body): Record<string, unknown> {
  const hub = hubOf(ctx, body);
  const conn = connectionOf(hub, stringField(body, "connectionId"));
  const name = body["group"];
  if (!isValidGroup(name)) throw badRequest("'group' must be a valid group name.", "group");
  if (body["op"] === "add") hub.join(conn, name);
  else if (body["op"] === "remove") hub.leave(conn, name);
  else throw badRequest("'op' must be add or remove.", "op");
  return { groups: [...conn.groups] };
}

function close(ctx: ActionContext, body: Body): Record<string, unknown> {
  const hub = hubOf(ctx, body);
  const conn = connectionOf(hub, stringField(body, "connectionId"));
  const code = body["code"] ?? CloseCode.Normal;
  if (!isSendableCloseCode(code)) {
    throw badRequest("'code' must be 1000-1003, 1007-1014 or 3000-4999 (codes a close frame may carry).", "code");
  }
  const reason = body["reason"] ?? "Closed from the emulator dashboard.";
  if (typeof reason !== "string") throw badRequest("'reason' must be a string.", "reason");
  conn.close(code, reason);
  return {};
}

function drop(ctx: ActionContext, body: Body): Record<string, unknown> {
  const hub = hubOf(ctx, body);
  const conn = connectionOf(hub, stringField(body, "connectionId"));
  // terminate() destroys the TCP socket: no close frame, so the client sees 1006 and a
  // reliable client recovers.
  if (!conn.socket) throw badRequest("The connection has no socket to drop (it is waiting for recovery).", "connectionId");
  conn.socket.terminate();
  return {};
}

function upstreamFault(ctx: ActionContext, body: Body): Record<string, unknown> {
  const hubName = hubNameOf(body);
  const mode = body["mode"];
  if (mode === "none") {
    ctx.faults.set(hubName, null);
    return { fault: null };
  }
  const count = body["count"];
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10_000) {
    throw badRequest("'count' must be an integer from 1 to 10000.", "count");
  }
  const remaining = count as number;
  if (mode === "slow") {
    const delayMs = body["delayMs"] ?? 5_000;
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > 600_000) {
      throw badRequest("'delayMs' must be an integer from 0 to 600000.", "delayMs");
    }
    ctx.faults.set(hubName, { mode, remaining, delayMs: delayMs as number });
  } else if (mode === "fail") {
    const status = body["status"] ?? 500;
    if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
      throw badRequest("'status' must be an HTTP error status from 400 to 599.", "status");
    }
    ctx.faults.set(hubName, { mode, remaining, status: status as number });
  } else {
    throw badRequest("'mode' must be slow, fail or none.", "mode");
  }
  return { fault: ctx.faults.peek(hubName) ?? null };
}

/**
 * Mints a client URL for the test-client panel, for the host the page itself used: the
 * token's audience must match the Host the browser will connect with.
 */
export function testClientUrl(ctx: ActionContext, body: Body, host: string): Record<string, unknown> {
  const hub = body["hub"];
  if (!isValidHub(hub)) throw badRequest("'hub' must be a valid hub name.", "hub");
  const userId = body["userId"];
  if (userId !== undefined && userId !== null && (typeof userId !== "string" || userId === "")) {
    throw badRequest("'userId' must be a non-empty string.", "userId");
  }
  const roles = stringList(body, "roles");
  const groups = stringList(body, "groups");
  if (!groups.every(isValidGroup)) throw badRequest("Every one of 'groups' must be a valid group name.", "groups");
  const path = `${clientPathPrefix("default")}${encodeURIComponent(hub)}`;
  const claims = buildClientTokenClaims({
    audience: `http://${host}${path}`,
    userId: typeof userId === "string" ? userId : undefined,
    roles,
    groups,
    nowSeconds: Math.floor(Date.now() / 1000),
    expiresInMinutes: TEST_CLIENT_TOKEN_MINUTES,
  });
  const token = signJwtSync(claims, ctx.runtime.accessKey);
  return { url: `ws://${host}${path}?access_token=${encodeURIComponent(token)}` };
}

function hubNameOf(body: Body): string {
  const hub = body["hub"];
  if (!isValidHub(hub)) throw badRequest("'hub' must be a valid hub name.", "hub");
  return normalizeHub(hub);
}

function hubOf(ctx: ActionContext, body: Body): HubState<ClientConnection> {
  const name = hubNameOf(body);
  const hub = ctx.runtime.hubs.peek(name);
  if (!hub) throw notFound(`No hub '${name}' has been used yet.`, "hub");
  return hub;
}

function connectionOf(hub: HubState<ClientConnection>, id: string): ClientConnection {
  const conn = hub.connections.get(id);
  if (!conn) throw notFound(`No connection '${id}' in hub '${hub.name}'.`, "connectionId");
  return conn;
}

function payloadOf(body: Body): Payload {
  const payload = decodePayload(body);
  // The same limit as a REST send: the service's message size.
  if (payload.data.length > MAX_MESSAGE_BYTES) throw badRequest(`'data' is larger than the ${MAX_MESSAGE_BYTES}-byte message limit.`, "data");
  return payload;
}

function decodePayload(body: Body): Payload {
  const data = body["data"];
  if (typeof data !== "string") throw badRequest("'data' must be a string (base64 for application/octet-stream).", "data");
  switch (body["contentType"]) {
    case "text/plain":
      return { dataType: "text", data: Buffer.from(data, "utf8") };
    case "application/json":
      if (!isValidJson(data)) throw badRequest("'data' is not valid JSON.", "data");
      return { dataType: "json", data: Buffer.from(data, "utf8") };
    case "application/octet-stream":
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) throw badRequest("'data' is not valid base64.", "data");
      return { dataType: "binary", data: Buffer.from(data, "base64") };
    default:
      throw badRequest("'contentType' must be text/plain, application/json or application/octet-stream.", "contentType");
  }
}

function stringField(body: Body, name: string, target = name): string {
  const value = body[name];
  if (typeof value !== "string" || value === "") throw badRequest(`'${target}' must be a non-empty string.`, target);
  return value;
}

function stringList(body: Body, name: string): string[] {
  const value = body[name] ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw badRequest(`'${name}' must be an array of strings.`, name);
  return value as string[];
}

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Codes an endpoint may put in a close frame (RFC 6455 section 7.4). */
export function isSendableCloseCode(code: unknown): code is number {
  if (!Number.isInteger(code)) return false;
  const c = code as number;
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}
