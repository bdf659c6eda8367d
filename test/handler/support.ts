// Builds the CloudEvents requests the service sends (reference §3), signed with the core's
// signConnectionId, for driving the handler without a service.
import { encodeConnectionState, signConnectionId } from "../../src/core/index.js";

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
  if (SYSTEM.has(event)) return `azure.webpubsub.sys.${event}`;
  if (event === "gp.joined" || event === "gp.left") return `azure.webpubsub.${event}`;
  return `azure.webpubsub.user.${event}`;
}

/** Headers and body of an event, ready for fetch or new Request. */
export async function eventParts(spec: EventSpec): Promise<{ headers: Record<string, string>; body: string | Uint8Array }> {
  const connectionId = spec.connectionId ?? "conn-1";
  const hub = spec.hub ?? HUB;
  const raw = spec.body ?? (SYSTEM.has(spec.event) || spec.event.startsWith("gp.") ? {} : "");
  const body = typeof raw === "string" || raw instanceof Uint8Array ? raw : JSON.stringify(raw);
  const isSystem = SYSTEM.has(spec.event) || spec.event.startsWith("gp.");
  const headers: Record<string, string> = {
    "Content-Type": spec.contentType ?? (isSystem || typeof raw === "object" ? "application/json" : "text/plain; charset=utf-8"),
    "WebHook-Request-Origin": ORIGIN,
    "ce-specversion": "1.0",
    "ce-awpsversion": "1.0",
    "ce-type": ceType(spec.event),
    "ce-source": `/hubs/${hub}/client/${connectionId}`,
    "ce-id": "1",
    "ce-time": "2026-01-01T00:00:00Z",
    "ce-hub": hub,
    "ce-connectionId": connectionId,
    "ce-eventName": spec.event.replace(/^gp\./, ""),
  };
  const keys = spec.signWith ?? [KEY];
  if (keys.length) headers["ce-signature"] = await signConnectionId(connectionId, keys);
  if (spec.userId !== undefined) headers["ce-userId"] = spec.userId;
  if (spec.subprotocol !== undefined) headers["ce-subprotocol"] = spec.subprotocol;
  if (spec.states !== undefined) headers["ce-connectionState"] = encodeConnectionState(spec.states);
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
  const headers: Record<string, string> = { "ce-awpsversion": "1.0" };
  if (origin !== null) headers["WebHook-Request-Origin"] = origin;
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
