// Builds the CloudEvents requests the service sends (docs/protocol.md#upstream-cloudevents) with
// the core's header names and signConnectionId, for driving the handler without a service.
import {
  AbuseProtectionHeader,
  AWPS_VERSION,
  buildCloudEventHeaders,
  buildEventType,
  CloudEventHeader,
  encodeConnectionState,
  EVENT_TYPE_PREFIX,
  isValidEventName,
  signConnectionId,
  type CloudEventAttributes,
} from "../../src/core/index.js";

export const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
export const OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvuts";
export const HUB = "chat";
export const PATH = "/api/webpubsub/hubs/chat/";
export const ORIGIN = "contoso.webpubsub.azure.com";

/** One event as the service would send it. */
export interface EventSpec {
  /** `connect`, `connected`, `disconnected`, `gp.joined`, `gp.left` or a user event name. */
  event: string;
  body?: string | Uint8Array | object;
  contentType?: string;
  connectionId?: string;
  userId?: string;
  subprotocol?: string;
  states?: Record<string, unknown>;
  /** Keys to sign with; default [KEY]. An empty list sends no signature. */
  signWith?: string[];
  /** Overrides or removes (undefined) headers after the defaults. */
  headers?: Record<string, string | undefined>;
  hub?: string;
  path?: string;
}

const SYSTEM = new Set(["connect", "connected", "disconnected"]);

/** The ce-type of an event name. */
export function ceType(event: string): string {
  if (SYSTEM.has(event)) return buildEventType("sys", event);
  if (event === "gp.joined" || event === "gp.left") return buildEventType("gp", event.slice("gp.".length));
  // Tests also send names the service never would, to see the handler refuse them.
  return isValidEventName(event) ? buildEventType("user", event) : `${EVENT_TYPE_PREFIX}user.${event}`;
}

/** Headers and body of an event, ready for fetch or new Request. */
export async function eventParts(spec: EventSpec): Promise<{ headers: Record<string, string>; body: string | Uint8Array }> {
  const connectionId = spec.connectionId ?? "conn-1";
  const hub = spec.hub ?? HUB;
  const raw = spec.body ?? (SYSTEM.has(spec.event) || spec.event.startsWith("gp.") ? {} : "");
  const body = typeof raw === "string" || raw instanceof Uint8Array ? raw : JSON.stringify(raw);
  const isSystem = SYSTEM.has(spec.event) || spec.event.startsWith("gp.");
  const attributes: CloudEventAttributes = {
    id: "1",
    type: ceType(spec.event),
    time: "2026-01-01T00:00:00Z",
    hub,
    connectionId,
    eventName: spec.event.replace(/^gp\./, ""),
  };
  const keys = spec.signWith ?? [KEY];
  if (keys.length) attributes.signature = await signConnectionId(connectionId, keys);
  if (spec.userId !== undefined) attributes.userId = spec.userId;
  if (spec.subprotocol !== undefined) attributes.subprotocol = spec.subprotocol;
  if (spec.states !== undefined) attributes.connectionState = encodeConnectionState(spec.states);
  const headers: Record<string, string> = {
    "Content-Type": spec.contentType ?? (isSystem || typeof raw === "object" ? "application/json" : "text/plain; charset=utf-8"),
    [AbuseProtectionHeader.requestOrigin]: ORIGIN,
    ...buildCloudEventHeaders(attributes),
  };
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    if (value !== undefined) headers[name] = value;
  }
  return { headers, body };
}

/** A Fetch Request for an event. */
export async function eventRequest(spec: EventSpec, base = "http://handler.test"): Promise<Request> {
  const { headers, body } = await eventParts(spec);
  return new Request(new URL(spec.path ?? PATH, base), { method: "POST", headers, body: body as BodyInit });
}

/** The abuse-protection probe. */
export function validationRequest(origin: string | null = ORIGIN, path = PATH): Request {
  const headers: Record<string, string> = { [CloudEventHeader.awpsVersion]: AWPS_VERSION };
  if (origin !== null) headers[AbuseProtectionHeader.requestOrigin] = origin;
  return new Request(new URL(path, "http://handler.test"), { method: "OPTIONS", headers });
}

/** The JSON error body of a refused request. */
export async function errorCode(response: Response): Promise<string> {
  assertJson(response);
  return ((await response.json()) as { code: string }).code;
}

function assertJson(response: Response): void {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) throw new Error(`expected a JSON error body, got ${response.status} ${type}`);
}

/** Resolves after every pending microtask and one macrotask. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
