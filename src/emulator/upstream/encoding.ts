// Turns an emulator event into its CloudEvents request (binary content mode): attribute
// headers from core, the signature over every key, and the request origin. Header values go
// through toHeaderValue so non-ASCII ids travel as UTF-8.
import { randomUUID } from "node:crypto";
import {
  AbuseProtectionHeader,
  buildCloudEventHeaders,
  signConnectionId,
  type CloudEventAttributes,
} from "../../core/index.js";
import { toHeaderValue } from "./http.js";
import type { UpstreamContext } from "./types.js";

/** Correlates one event across retries in the handler's logs. */
const CLIENT_REQUEST_ID_HEADER = "x-ms-client-request-id";

/** One event to encode. */
export interface EventToEncode {
  ctx: UpstreamContext;
  /** `ce-type`, from core's buildEventType. */
  type: string;
  /** `ce-eventName`. */
  eventName: string;
  /** `ce-id`. */
  id: number;
  contentType: string;
}

/** The request headers of an event. Throws InvalidHeaderError for a value that cannot be sent. */
export async function encodeEventHeaders(event: EventToEncode, accessKeys: readonly string[], now = new Date()): Promise<Record<string, string>> {
  const { ctx } = event;
  const attributes: CloudEventAttributes = {
    id: String(event.id),
    type: event.type,
    time: now.toISOString(),
    hub: ctx.hub,
    connectionId: ctx.connectionId,
    eventName: event.eventName,
    userId: ctx.userId,
    subprotocol: ctx.subprotocol,
    signature: await signConnectionId(ctx.connectionId, accessKeys),
  };
  if (ctx.connectionState !== undefined) attributes.connectionState = ctx.connectionState;
  const headers: Record<string, string> = {
    "Content-Type": event.contentType,
    [AbuseProtectionHeader.requestOrigin]: toHeaderValue(AbuseProtectionHeader.requestOrigin, ctx.origin),
    [CLIENT_REQUEST_ID_HEADER]: randomUUID(),
  };
  for (const [name, value] of Object.entries(buildCloudEventHeaders(attributes))) headers[name] = toHeaderValue(name, value);
  return headers;
}
