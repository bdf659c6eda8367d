// Client messages of json[.reliable].webpubsub.azure.v1 (protocol-emulator.md §2.4–2.6).
import type { ClientConnection } from "./connection.js";
import type { Payload } from "./message.js";
import type { Runtime } from "./runtime.js";
import { applyReply, callUserEvent, publishToGroup } from "./simpleProtocol.js";
import { isValidEventName, isValidGroup, isValidTtl } from "../core/index.js";

type Message = Record<string, unknown>;

/** The outcome of one request; failures become a negative ack (or a close without ackId). */
type Result = { ok: true } | { ok: false; name: "Forbidden" | "BadRequest" | "InternalServerError"; message: string };

const OK: Result = { ok: true };

// Newer message types the client SDK knows but this emulator does not serve, like the [emu].
const UNSUPPORTED = new Set([
  "invoke",
  "invokeResponse",
  "cancelInvocation",
  "streamData",
  "streamEnd",
  "setGroupState",
  "subscribeGroupState",
  "unsubscribeGroupState",
]);

/** Handles one inbound frame of a JSON-protocol connection. */
export function handleJsonFrame(conn: ClientConnection, bytes: Buffer, isBinary: boolean, runtime: Runtime): void {
  if (isBinary) {
    conn.close(1003, "Binary frames are not supported by the JSON protocol.");
    return;
  }
  let msg: unknown;
  try {
    msg = JSON.parse(bytes.toString("utf8"));
  } catch {
    conn.close(1007, "The message is not valid JSON.");
    return;
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg) || typeof (msg as Message)["type"] !== "string") {
    conn.close(1007, "The message must be a JSON object with a string 'type'.");
    return;
  }
  const m = msg as Message;
  const type = m["type"] as string;
  const ackId = m["ackId"];
  if (ackId !== undefined && ackId !== null && !isUint(ackId)) {
    conn.close(1007, "'ackId' must be a non-negative integer.");
    return;
  }
  const ack = typeof ackId === "number" ? ackId : undefined;

  switch (type) {
    case "ping":
      conn.sendControl({ type: "pong" });
      return;
    case "sequenceAck":
      if (!isUint(m["sequenceId"])) return conn.close(1007, "'sequenceId' must be a non-negative integer.");
      conn.acknowledge(m["sequenceId"]);
      return;
    case "joinGroup":
    case "leaveGroup":
    case "sendToGroup":
    case "event":
      conn.enqueue(() => run(conn, type, m, ack, runtime), bytes.length);
      return;
    default:
      conn.enqueue(() => rejectType(conn, type, m, ack));
  }
}

async function run(conn: ClientConnection, type: string, m: Message, ackId: number | undefined, runtime: Runtime): Promise<void> {
  if (conn.state === "closed") return;
  if (ackId !== undefined && conn.ackIds.has(ackId)) {
    // A retried request is answered, not re-run; the JS client counts this as success.
    conn.sendControl({
      type: "ack",
      ackId,
      success: false,
      error: { name: "Duplicate", message: `Message with ack-id: ${ackId} has been processed` },
    });
    return;
  }
  const result = await dispatch(conn, type, m, runtime);
  finish(conn, result, ackId);
}

function dispatch(conn: ClientConnection, type: string, m: Message, runtime: Runtime): Result | Promise<Result> {
  switch (type) {
    case "joinGroup":
      return joinOrLeave(conn, m, true);
    case "leaveGroup":
      return joinOrLeave(conn, m, false);
    case "sendToGroup":
      return sendToGroup(conn, m);
    default:
      return sendEvent(conn, m, runtime);
  }
}

function finish(conn: ClientConnection, result: Result, ackId: number | undefined): void {
  if (ackId === undefined) {
    // Without an ackId there is no way to report a bad request: decline the client (§2.4).
    if (!result.ok && result.name === "BadRequest") conn.close(1007, result.message);
    return;
  }
  if (result.ok) {
    conn.rememberAck(ackId);
    conn.sendControl({ type: "ack", ackId, success: true });
  } else {
    // Failures are not remembered, so the client may retry with the same ackId.
    conn.sendControl({ type: "ack", ackId, success: false, error: { name: result.name, message: result.message } });
  }
}

function joinOrLeave(conn: ClientConnection, m: Message, join: boolean): Result {
  const group = m["group"];
  if (!isValidGroup(group)) return badRequest("'group' must be 1-1024 characters and not only whitespace.");
  if (!conn.permissions.allows("joinLeaveGroup", group)) {
    return { ok: false, name: "Forbidden", message: `The connection has no permission to ${join ? "join" : "leave"} group '${group}'.` };
  }
  if (join) conn.hub.join(conn, group);
  else conn.hub.leave(conn, group);
  return OK;
}

function sendToGroup(conn: ClientConnection, m: Message): Result {
  const group = m["group"];
  if (!isValidGroup(group)) return badRequest("'group' must be 1-1024 characters and not only whitespace.");
  const noEcho = m["noEcho"] ?? false;
  if (typeof noEcho !== "boolean") return badRequest("'noEcho' must be a boolean.");
  const ttl = m["ttlSeconds"];
  // TTL is validated but messages go out at once, like the [emu] (§1.7).
  if (ttl !== undefined && ttl !== null && !isValidTtl(ttl)) return badRequest("'ttlSeconds' must be 0-300.");
  const payload = readPayload(m);
  if (typeof payload === "string") return badRequest(payload);
  if (!conn.permissions.allows("sendToGroup", group)) {
    return { ok: false, name: "Forbidden", message: `The connection has no permission to send to group '${group}'.` };
  }
  publishToGroup(conn, group, payload, noEcho);
  return OK;
}

async function sendEvent(conn: ClientConnection, m: Message, runtime: Runtime): Promise<Result> {
  const event = m["event"];
  if (!isValidEventName(event)) return badRequest("'event' must match ^[a-z][a-z0-9_.-]{0,127}$.");
  const payload = readPayload(m);
  if (typeof payload === "string") return badRequest(payload);
  const outcome = await callUserEvent(runtime, conn, event, payload.data, payload.dataType);
  if (outcome.kind === "ok") {
    // The reply goes out before the ack (§2.6).
    applyReply(conn, outcome);
    return OK;
  }
  const message =
    outcome.kind === "none"
      ? `No event handler is registered for event '${event}'.`
      : `The event handler for '${event}' failed${outcome.status ? ` with status ${outcome.status}` : ""}${outcome.reason ? `: ${outcome.reason}` : ""}.`;
  return { ok: false, name: "InternalServerError", message };
}

function rejectType(conn: ClientConnection, type: string, m: Message, ackId: number | undefined): void {
  const known = UNSUPPORTED.has(type);
  const message = known ? `Message type '${type}' is not supported by this emulator.` : `Unknown message type '${type}'.`;
  if (type === "invoke" && typeof m["invocationId"] === "string") {
    // Answer the invocation so the caller's promise settles instead of waiting for a timeout.
    conn.sendControl({
      type: "invokeResponse",
      invocationId: m["invocationId"],
      success: false,
      error: { name: "NotSupported", message },
    });
    return;
  }
  finish(conn, badRequest(message), ackId);
}

/** Reads `dataType`/`data`; returns an error text when they do not fit. */
function readPayload(m: Message): Payload | string {
  const dataType = m["dataType"] ?? "json";
  const data = m["data"];
  switch (dataType) {
    case "json": {
      if (data === undefined) return "'data' is required.";
      let text: string;
      try {
        text = JSON.stringify(data);
      } catch {
        // JSON.parse takes any depth, JSON.stringify recurses: a deep enough array overflows the stack.
        return "'data' is nested too deeply.";
      }
      return { dataType: "json", data: Buffer.from(text, "utf8") };
    }
    case "text":
      if (typeof data !== "string") return "'data' must be a string when 'dataType' is 'text'.";
      return { dataType: "text", data: Buffer.from(data, "utf8") };
    case "binary":
      if (typeof data !== "string" || !isBase64(data)) return "'data' must be base64 when 'dataType' is 'binary'.";
      return { dataType: "binary", data: Buffer.from(data, "base64") };
    default:
      return `'dataType' must be 'json', 'text' or 'binary'.`;
  }
}

function badRequest(message: string): Result {
  return { ok: false, name: "BadRequest", message };
}

function isUint(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}
