// Simple (raw) WebSocket mode, protocol-emulator.md §2.3: every frame is the user event
// `message`; the handler's reply goes back as a bare frame.
import type { ClientConnection, RawPublish } from "./connection.js";
import { dataTypeOfReplyContentType } from "../core/index.js";
import { OutboundMessage, isValidJson, type DataType, type Payload } from "./message.js";
import type { Runtime } from "./runtime.js";
import type { UserEventOutcome } from "./upstream/index.js";

/** Handles one frame of a simple-mode connection. */
export async function handleSimpleFrame(
  conn: ClientConnection,
  bytes: Buffer,
  isBinary: boolean,
  runtime: Runtime,
): Promise<void> {
  if (conn.state === "closed") return;
  if (conn.rawPublish) return publish(conn, conn.rawPublish, bytes, isBinary);
  const outcome = await callUserEvent(runtime, conn, "message", bytes, isBinary ? "binary" : "text");
  if (outcome.kind !== "ok") {
    // No handler or a failed one drops a raw client ([emu]: 1011).
    const why = outcome.kind === "none" ? "No event handler for 'message'." : `The event handler failed${outcome.reason ? `: ${outcome.reason}` : ""}.`;
    conn.close(1011, why);
    return;
  }
  applyReply(conn, outcome);
}

// Undocumented raw mode ([emu] SimpleWebSocketModeFeature): each frame goes to one group.
function publish(conn: ClientConnection, target: RawPublish, bytes: Buffer, isBinary: boolean): void {
  if (!conn.permissions.allows("sendToGroup", target.group)) {
    // A raw client has no ack to carry the refusal, so the refusal is the close itself.
    conn.close(1008, `The connection has no permission to send to group '${target.group}'.`);
    return;
  }
  publishToGroup(conn, target.group, { dataType: isBinary ? "binary" : "text", data: bytes }, target.noEcho);
}

/** Sends a client's message to every member of `group`, the sender included unless `noEcho`. */
export function publishToGroup(sender: ClientConnection, group: string, payload: Payload, noEcho: boolean): void {
  const message = new OutboundMessage(payload, { from: "group", group, fromUserId: sender.userId });
  for (const member of [...sender.hub.groupMembers(group).keys()]) {
    if (noEcho && member === sender) continue;
    member.deliver(message);
  }
}

/** Calls the upstream for a user event; a thrown error counts as a failed handler. */
export async function callUserEvent(
  runtime: Runtime,
  conn: ClientConnection,
  event: string,
  data: Uint8Array,
  dataType: DataType,
): Promise<UserEventOutcome> {
  try {
    return await runtime.upstream.userEvent(conn.context(), event, data, dataType);
  } catch {
    return { kind: "failed" };
  }
}

/** Stores a new connection state and sends the handler's body back as a server message. */
export function applyReply(conn: ClientConnection, outcome: Extract<UserEventOutcome, { kind: "ok" }>): void {
  if (outcome.connectionState !== undefined) conn.connectionState = outcome.connectionState;
  const data = outcome.data;
  if (!data || data.byteLength === 0) return;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let dataType = dataTypeOfReplyContentType(outcome.contentType);
  // JSON is embedded as is in JSON frames, so a reply that only claims to be JSON goes as text.
  if (dataType === "json" && !isValidJson(bytes.toString("utf8"))) dataType = "text";
  const payload = { dataType, data: bytes };
  conn.deliver(new OutboundMessage(payload, { from: "server" }));
}
