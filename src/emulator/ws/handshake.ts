// The client endpoint (docs/protocol.md#handshake): every check and the upstream
// `connect` run before the upgrade, so a refused client gets a plain HTTP status.
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { CloseCode, parseClientPath, timingSafeEqualText, type JwtClaims } from "../../core/index.js";
import { AuthError, bearerToken, verifyClientToken } from "../auth.js";
import { acceptedOrder } from "../acceptOrder.js";
import type { Runtime } from "../runtime.js";
import type { ConnectEventBody, ConnectOutcome, UpstreamContext } from "../upstream/index.js";
import { decodeSegment, isValidGroup, isValidHub, normalizeHub } from "../validation.js";
import { ClientConnection, newConnectionId } from "./connection.js";
import type { RawPublish } from "./protocol.js";
import { offeredSubprotocols, upgradeFault } from "./upgradeRequest.js";
import { protocolFor, SPOKEN_SUBPROTOCOLS } from "./protocols.js";

/** Completes a WebSocket upgrade with the chosen subprotocol (null: none). */
export type AcceptUpgrade = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  subprotocol: string | null,
  onOpen: (ws: WebSocket) => void,
) => void;

/** Handles an upgrade request on /client. Never throws. */
export async function handleClientUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  accept: AcceptUpgrade,
  runtime: Runtime,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const hubText = hubOf(url);
  if (hubText === undefined) {
    // MQTT and Socket.IO paths exist on the service but not here; :generateToken refuses their tokens too.
    const other = parseClientPath(url.pathname);
    return refuse(socket, 404, other ? `The emulator does not serve ${other.protocol} clients.` : "No WebSocket endpoint at this path.");
  }
  const fault = upgradeFault(req);
  if (fault) return refuse(socket, fault.status, fault.message, fault.headers);
  if (!isValidHub(hubText)) return refuse(socket, 400, "Invalid hub name.");
  // The hub's state is created only for an accepted client, so refused requests leave nothing behind.
  const hubName = normalizeHub(hubText);
  const protocolHeader = req.headers["sec-websocket-protocol"];
  const offered = protocolHeader === undefined ? [] : (offeredSubprotocols(protocolHeader) ?? []);
  // The first offered protocol the emulator speaks; a connect handler may replace it below.
  let subprotocol = offered.find((p) => SPOKEN_SUBPROTOCOLS.has(p)) ?? null;

  const recoverId = url.searchParams.get("awps_connection_id");
  if (recoverId !== null) {
    const order = acceptedOrder(req.socket);
    accept(req, socket, head, subprotocol, (ws) => recover(ws, order, hubName, runtime.hubs.peek(hubName)?.connections.get(recoverId), url, runtime));
    return;
  }

  const rawMode = readRawMode(url);
  if (typeof rawMode === "string") return refuseLogged(socket, runtime, hubName, 400, rawMode);

  const token = url.searchParams.get("access_token") ?? bearerToken(req);
  if (!token) return refuseLogged(socket, runtime, hubName, 401, "no access token");
  const host = req.headers.host ?? "";
  let grant;
  try {
    grant = verifyClientToken(token, runtime.accessKey, host, hubText);
  } catch (err) {
    const e = err instanceof AuthError ? err : new AuthError(401, "token rejected");
    return refuseLogged(socket, runtime, hubName, e.status, e.reason);
  }

  const id = newConnectionId();
  const ctx: UpstreamContext = { hub: hubName, connectionId: id, userId: grant.userId, subprotocol, origin: host };
  let outcome: ConnectOutcome;
  try {
    outcome = await runtime.upstream.connect(ctx, connectBody(req, url, grant.claims, offered));
  } catch {
    outcome = { kind: "reject", status: 500 };
  }
  if (socket.destroyed || runtime.closing) return void socket.destroy();
  if (outcome.kind === "reject") {
    return refuseLogged(socket, runtime, hubName, outcome.status, "rejected by the connect handler");
  }

  let { userId, roles, groups } = grant;
  let connectionState: string | undefined;
  if (outcome.kind === "accept") {
    if (outcome.userId !== undefined) userId = outcome.userId;
    if (outcome.roles !== undefined) roles = outcome.roles;
    // A non-empty groups list replaces the token's; an empty one keeps them, as the service does.
    if (outcome.groups !== undefined && outcome.groups.length > 0) groups = outcome.groups.filter(isValidGroup);
    if (outcome.subprotocol !== undefined && outcome.subprotocol.trim() !== "") subprotocol = outcome.subprotocol;
    connectionState = outcome.connectionState;
  }
  accept(req, socket, head, subprotocol, (ws) => {
    const hub = runtime.hubs.get(hubName);
    const conn = new ClientConnection(
      { id, hub, userId, subprotocol, roles, origin: host, connectionState, rawPublish: rawMode },
      runtime,
      protocolFor(subprotocol),
    );
    conn.attach(ws, acceptedOrder(req.socket));
    runtime.emit({ type: "connected", hub: hub.name, connectionId: id, userId, subprotocol });
    conn.protocol.greet();
    hub.add(conn);
    for (const group of groups) hub.join(conn, group);
    runtime.upstream.connected(conn.context());
  });
}

// A failed recovery still opens the socket, then closes it with 1008 (docs/protocol.md#recovery).
function recover(ws: WebSocket, order: number, hub: string, conn: ClientConnection | undefined, url: URL, runtime: Runtime): void {
  const token = url.searchParams.get("awps_reconnection_token") ?? "";
  if (
    !conn ||
    conn.state === "closed" ||
    conn.reconnectionToken === undefined ||
    !timingSafeEqualText(conn.reconnectionToken, token)
  ) {
    ws.on("error", () => undefined);
    ws.close(CloseCode.PolicyViolation, "The connection cannot be recovered.");
    const reason = "recovery refused for a missing, closed or unauthenticated connection";
    runtime.emit({ type: "handshakeRefused", hub, status: CloseCode.PolicyViolation, reason });
    return;
  }
  conn.recover(ws, order);
}

// `?webpubsub_mode=sendToGroup&group=g[&noEcho=true]` (docs/protocol.md#plain-websocket). Returns an
// error text for a bad query; `sendEvent` or no mode is the usual user-event mode.
function readRawMode(url: URL): RawPublish | undefined | string {
  const mode = url.searchParams.get("webpubsub_mode");
  if (mode === null || mode.toLowerCase() === "sendevent") return undefined;
  if (mode.toLowerCase() !== "sendtogroup") return "webpubsub_mode must be sendEvent or sendToGroup";
  const group = url.searchParams.get("group");
  if (!isValidGroup(group)) return "raw sendToGroup mode needs a valid group";
  const noEcho = (url.searchParams.get("noEcho") ?? "false").toLowerCase();
  if (noEcho !== "true" && noEcho !== "false") return "noEcho must be true or false";
  return { group, noEcho: noEcho === "true" };
}

// `/client/hubs/{hub}` or `/client/?hub={hub}`; undefined for any other path.
function hubOf(url: URL): string | undefined {
  const path = parseClientPath(url.pathname);
  if (path?.protocol === "default") return decodeSegment(path.hubSegment) ?? "";
  if (url.pathname === "/client" || url.pathname === "/client/") return url.searchParams.get("hub") ?? "";
  return undefined;
}

/** The `connect` event body: every value an array, token and Authorization left out (docs/protocol.md#handshake). */
function connectBody(req: IncomingMessage, url: URL, claims: JwtClaims, offered: string[]): ConnectEventBody {
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    if (k === "access_token") continue;
    (query[k] ??= []).push(v);
  }
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.toLowerCase() === "authorization") continue;
    (headers[name] ??= []).push(req.rawHeaders[i + 1]!);
  }
  const claimMap: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(claims)) {
    claimMap[k] = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  }
  return { claims: claimMap, query, headers, subprotocols: offered, clientCertificates: [] };
}

function refuseLogged(socket: Duplex, runtime: Runtime, hub: string, status: number, why: string): void {
  runtime.emit({ type: "handshakeRefused", hub, status, reason: why });
  refuse(socket, status, status === 401 ? "Unauthorized." : "The connection was refused.");
}

/**
 * Answers an upgrade request with an HTTP error and closes the socket: the REST API's flat
 * JSON error body and `x-ms-error-code` (docs/protocol.md#rest-errors), never ws's text/html.
 */
export function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const reason = STATUS_CODES[status] ?? "Error";
  const code = `Error.${reason.replace(/\W/g, "")}`;
  const body = JSON.stringify({ code, message });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nx-ms-error-code: ${code}\r\n${extra}\r\n${body}`,
  );
}
