// User events from any protocol: the blocking upstream call and what its reply does
// (docs/protocol.md#user-events).
import { dataTypeOfReplyContentType } from "../../core/index.js";
import type { UserEventOutcome } from "../upstream/index.js";
import { isValidJson, OutboundMessage, type DataType } from "./message.js";
import type { ProtocolHost } from "./protocol.js";

/** Calls the upstream for a user event; a thrown error counts as a failed handler. */
export async function callUserEvent(
  conn: ProtocolHost,
  event: string,
  data: Uint8Array,
  dataType: DataType,
): Promise<UserEventOutcome> {
  try {
    return await conn.runtime.upstream.userEvent(conn.context(), event, data, dataType);
  } catch {
    return { kind: "failed" };
  }
}

/** Stores a new connection state and sends the handler's body back as a server message. */
export function applyReply(conn: ProtocolHost, outcome: Extract<UserEventOutcome, { kind: "ok" }>): void {
  if (outcome.connectionState !== undefined) conn.connectionState = outcome.connectionState;
  const reply = replyPayload(outcome);
  if (reply) conn.deliver(new OutboundMessage(reply, { from: "server" }));
}

/** The handler's body with its data type (by Content-Type); undefined for an empty body. */
export function replyPayload(outcome: Extract<UserEventOutcome, { kind: "ok" }>): { dataType: DataType; data: Buffer } | undefined {
  const data = outcome.data;
  if (!data || data.byteLength === 0) return undefined;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let dataType = dataTypeOfReplyContentType(outcome.contentType);
  // JSON is embedded as is in JSON frames, so a reply that only claims to be JSON goes as text.
  if (dataType === "json" && !isValidJson(bytes.toString("utf8"))) dataType = "text";
  return { dataType, data: bytes };
}
