// Upstream events: CloudEvents over HTTP in binary mode, as the service POSTs them to event
// handlers and as handlers answer. Shared by the emulator (which sends them) and the event
// handler (which receives them). Browser-safe: no `node:` import, HMAC via jwt.ts.
// Wire facts: docs/protocol.md#upstream-cloudevents.
import { base64ToText, textToBase64 } from "./base64url.js";
import { invalidArgument } from "./errors.js";
import { hmacSha256Hex, timingSafeEqualText } from "./jwt.js";
import { isJsonMediaType, mediaTypeOf } from "./mediaType.js";
import { isValidEventName } from "./rules.js";

// ---------------------------------------------------------------------------------------------
// Header names and fixed values

/** Every CloudEvents attribute header the service sends (binary content mode). */
export const CloudEventHeader = {
  id: "ce-id",
  specVersion: "ce-specversion",
  type: "ce-type",
  source: "ce-source",
  time: "ce-time",
  hub: "ce-hub",
  connectionId: "ce-connectionId",
  userId: "ce-userId",
  eventName: "ce-eventName",
  signature: "ce-signature",
  connectionState: "ce-connectionState",
  subprotocol: "ce-subprotocol",
  awpsVersion: "ce-awpsversion",
  /** MQTT only: the id of the physical connection under a session. */
  physicalConnectionId: "ce-physicalConnectionId",
  /** MQTT only: the session id; absent on `connect`. */
  sessionId: "ce-sessionId",
} as const;

/** Headers of the abuse-protection handshake (CloudEvents webhook validation). */
export const AbuseProtectionHeader = {
  requestOrigin: "WebHook-Request-Origin",
  allowedOrigin: "WebHook-Allowed-Origin",
  requestRate: "WebHook-Request-Rate",
} as const;

/** Prefix of the per-message metadata headers on user events (`X-WebPubSub-Metadata-<key>`). */
export const METADATA_HEADER_PREFIX = "X-WebPubSub-Metadata-";

/** The `ce-specversion` the service sends. */
export const CLOUD_EVENTS_SPEC_VERSION = "1.0";

/** The `ce-awpsversion` the service sends; handlers ignore requests without it. */
export const AWPS_VERSION = "1.0";

/** The `{event}` value of a handler URL template for the abuse-protection probe. */
export const VALIDATE_EVENT = "validate";

/** Prefix of every Web PubSub `ce-type`. */
export const EVENT_TYPE_PREFIX = "azure.webpubsub.";

// ---------------------------------------------------------------------------------------------
// Event types

/** `sys`: connection life cycle; `user`: client events; `gp`: group membership. */
export type CloudEventKind = "sys" | "user" | "gp";

/**
 * The events a handler tells apart. MQTT connections use the same `ce-type` as others; they
 * are recognised by `ce-subprotocol: mqtt` together with `ce-physicalConnectionId`, and their
 * bodies carry an `mqtt` object. Group events travel as `azure.webpubsub.gp.joined`/`.left`.
 */
export type SystemEventName =
  | "connect"
  | "connected"
  | "disconnected"
  | "mqtt.connect"
  | "mqtt.connected"
  | "mqtt.disconnected"
  | "group.joined"
  | "group.left";

const SYS_EVENTS: readonly string[] = ["connect", "connected", "disconnected"];
const GROUP_EVENTS: readonly string[] = ["joined", "left"];

/** Events that block the connection until the handler answers (the others are fire-and-forget). */
export function isBlockingEvent(event: { kind: "system"; name: SystemEventName } | { kind: "user"; name: string }): boolean {
  return event.kind === "user" || event.name === "connect" || event.name === "mqtt.connect";
}

/**
 * Builds a `ce-type`: `buildEventType("sys", "connect")` is `azure.webpubsub.sys.connect`,
 * `buildEventType("user", "message")` is `azure.webpubsub.user.message`. Throws a TypeError
 * (code WPS_ERR_INVALID_ARGUMENT) for an event that kind does not have.
 */
export function buildEventType(kind: CloudEventKind, event: string): string {
  if (!isKnownEvent(kind, event)) throw invalidArgument(`'${String(event).slice(0, 140)}' is not a valid ${kind} event name`);
  return `${EVENT_TYPE_PREFIX}${kind}.${event}`;
}

/** Splits a `ce-type`; undefined for anything that is not a Web PubSub event type. */
export function parseEventType(ceType: string | null | undefined): { kind: CloudEventKind; event: string } | undefined {
  if (typeof ceType !== "string" || !ceType.startsWith(EVENT_TYPE_PREFIX)) return undefined;
  const rest = ceType.slice(EVENT_TYPE_PREFIX.length);
  const dot = rest.indexOf(".");
  if (dot < 0) return undefined;
  const kind = rest.slice(0, dot);
  const event = rest.slice(dot + 1);
  if (kind !== "sys" && kind !== "user" && kind !== "gp") return undefined;
  return isKnownEvent(kind, event) ? { kind, event } : undefined;
}

function isKnownEvent(kind: CloudEventKind, event: unknown): event is string {
  if (kind === "sys") return typeof event === "string" && SYS_EVENTS.includes(event);
  if (kind === "gp") return typeof event === "string" && GROUP_EVENTS.includes(event);
  return kind === "user" && isValidEventName(event);
}

/** The `ce-type` and `ce-eventName` a system event travels with. */
export function systemEventType(name: SystemEventName): { type: string; eventName: string } {
  switch (name) {
    case "group.joined":
    case "group.left": {
      const event = name.slice("group.".length);
      return { type: buildEventType("gp", event), eventName: event };
    }
    default: {
      const event = name.startsWith("mqtt.") ? name.slice("mqtt.".length) : name;
      return { type: buildEventType("sys", event), eventName: event };
    }
  }
}

/** Which event a request is, from its `ce-type` and the MQTT markers; undefined when unknown. */
export function identifyEvent(
  ceType: string | null | undefined,
  mqttMarkers: { subprotocol?: string | null | undefined; physicalConnectionId?: string | null | undefined } = {},
): { kind: "system"; name: SystemEventName } | { kind: "user"; name: string } | undefined {
  const parsed = parseEventType(ceType);
  if (!parsed) return undefined;
  if (parsed.kind === "user") return { kind: "user", name: parsed.event };
  if (parsed.kind === "gp") return { kind: "system", name: `group.${parsed.event}` as SystemEventName };
  const mqtt = isMqttRequest(mqttMarkers.subprotocol, mqttMarkers.physicalConnectionId);
  return { kind: "system", name: `${mqtt ? "mqtt." : ""}${parsed.event}` as SystemEventName };
}

/** MQTT events say `mqtt` in `ce-subprotocol` and carry `ce-physicalConnectionId` (what Express checks too). */
export function isMqttRequest(subprotocol: string | null | undefined, physicalConnectionId: string | null | undefined): boolean {
  return typeof subprotocol === "string" && subprotocol.toLowerCase().includes("mqtt") && typeof physicalConnectionId === "string";
}

/** `ce-source` of an event: `/hubs/{hub}/client/{connectionId}`. */
export function buildEventSource(hub: string, connectionId: string): string {
  return `/hubs/${hub}/client/${connectionId}`;
}

// ---------------------------------------------------------------------------------------------
// Building and reading the attribute headers

/** The attributes of one upstream event. Optional ones are left out of the headers when absent. */
export interface CloudEventAttributes {
  /** `ce-id`: unique per event of a connection. */
  id: string;
  /** `ce-type`, e.g. from {@link buildEventType}. */
  type: string;
  /** `ce-time`, RFC 3339. */
  time: string;
  hub: string;
  connectionId: string;
  eventName: string;
  /** Defaults to {@link buildEventSource}. */
  source?: string;
  userId?: string | null;
  subprotocol?: string | null;
  /** Opaque; sent back as the handler last set it. Empty means unset. */
  connectionState?: string;
  /** From {@link signConnectionId}. */
  signature?: string;
  physicalConnectionId?: string;
  sessionId?: string;
}

/** The `ce-*` headers of an event, spec and awps versions included. Header names as the service spells them. */
export function buildCloudEventHeaders(attributes: CloudEventAttributes): Record<string, string> {
  const a = attributes;
  const headers: Record<string, string> = {
    [CloudEventHeader.specVersion]: CLOUD_EVENTS_SPEC_VERSION,
    [CloudEventHeader.awpsVersion]: AWPS_VERSION,
    [CloudEventHeader.type]: a.type,
    [CloudEventHeader.source]: a.source ?? buildEventSource(a.hub, a.connectionId),
    [CloudEventHeader.id]: a.id,
    [CloudEventHeader.time]: a.time,
    [CloudEventHeader.hub]: a.hub,
    [CloudEventHeader.connectionId]: a.connectionId,
    [CloudEventHeader.eventName]: a.eventName,
  };
  if (a.signature !== undefined) headers[CloudEventHeader.signature] = a.signature;
  if (a.userId !== undefined && a.userId !== null) headers[CloudEventHeader.userId] = a.userId;
  if (a.subprotocol !== undefined && a.subprotocol !== null) headers[CloudEventHeader.subprotocol] = a.subprotocol;
  if (a.connectionState !== undefined && a.connectionState !== "") headers[CloudEventHeader.connectionState] = a.connectionState;
  if (a.physicalConnectionId !== undefined) headers[CloudEventHeader.physicalConnectionId] = a.physicalConnectionId;
  if (a.sessionId !== undefined) headers[CloudEventHeader.sessionId] = a.sessionId;
  return headers;
}

/** Anything headers can be read from: a fetch `Headers`, a Node header object, or a lookup function. */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ((name: string) => string | null | undefined);

/** Reads one header case-insensitively; the first value when repeated. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers === "function") return headers(name) ?? undefined;
  if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const wanted = name.toLowerCase();
  let value = record[name] ?? record[wanted];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === wanted) {
        value = record[key];
        break;
      }
    }
  }
  return typeof value === "string" ? value : value?.[0];
}

/** An event as read from its headers. */
export interface ReceivedCloudEvent {
  /** What happened, MQTT and group variants told apart. */
  event: { kind: "system"; name: SystemEventName } | { kind: "user"; name: string };
  type: string;
  id: string | undefined;
  source: string | undefined;
  time: string | undefined;
  hub: string;
  connectionId: string;
  eventName: string;
  userId: string | undefined;
  subprotocol: string | undefined;
  signature: string | undefined;
  connectionState: string | undefined;
  physicalConnectionId: string | undefined;
  sessionId: string | undefined;
  /** `WebHook-Request-Origin`: the service host that sent the event. */
  origin: string;
}

/** Why a request is not a Web PubSub event. `not-webpubsub` requests belong to someone else (fall through). */
export type CloudEventRejection = "not-webpubsub" | "unsupported-version" | "unknown-type" | "missing-header";

/** Result of {@link readCloudEvent}; never throws. */
export type ReadCloudEventResult = { ok: true; event: ReceivedCloudEvent } | { ok: false; reason: CloudEventRejection; message: string };

/** Reads and checks the attribute headers of an incoming event request. Never throws on bad input. */
export function readCloudEvent(headers: HeaderSource): ReadCloudEventResult {
  const get = (name: string): string | undefined => readHeader(headers, name);
  const awps = get(CloudEventHeader.awpsVersion);
  const origin = get(AbuseProtectionHeader.requestOrigin);
  if (awps === undefined || origin === undefined) {
    return { ok: false, reason: "not-webpubsub", message: `a Web PubSub event carries ${CloudEventHeader.awpsVersion} and ${AbuseProtectionHeader.requestOrigin}` };
  }
  const spec = get(CloudEventHeader.specVersion);
  if (spec !== undefined && spec !== CLOUD_EVENTS_SPEC_VERSION) {
    return { ok: false, reason: "unsupported-version", message: `${CloudEventHeader.specVersion} ${spec.slice(0, 40)} is not supported` };
  }
  const type = get(CloudEventHeader.type);
  const subprotocol = get(CloudEventHeader.subprotocol);
  const physicalConnectionId = get(CloudEventHeader.physicalConnectionId);
  const event = identifyEvent(type, { subprotocol, physicalConnectionId });
  if (type === undefined || event === undefined) {
    return { ok: false, reason: "unknown-type", message: `${CloudEventHeader.type} '${(type ?? "").slice(0, 140)}' is not a known Web PubSub event` };
  }
  const hub = get(CloudEventHeader.hub);
  const connectionId = get(CloudEventHeader.connectionId);
  const eventName = get(CloudEventHeader.eventName);
  const missing = [hub === undefined && CloudEventHeader.hub, connectionId === undefined && CloudEventHeader.connectionId, eventName === undefined && CloudEventHeader.eventName].filter(Boolean);
  if (hub === undefined || connectionId === undefined || eventName === undefined) {
    return { ok: false, reason: "missing-header", message: `missing ${missing.join(", ")}` };
  }
  return {
    ok: true,
    event: {
      event,
      type,
      id: get(CloudEventHeader.id),
      source: get(CloudEventHeader.source),
      time: get(CloudEventHeader.time),
      hub,
      connectionId,
      eventName,
      userId: get(CloudEventHeader.userId),
      subprotocol,
      signature: get(CloudEventHeader.signature),
      connectionState: get(CloudEventHeader.connectionState),
      physicalConnectionId,
      sessionId: get(CloudEventHeader.sessionId),
      origin,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ce-signature

/** More `sha256=` entries than any key rotation needs; longer headers are refused unread. */
const MAX_SIGNATURE_ENTRIES = 8;

function checkKeys(accessKeys: readonly string[]): void {
  if (!Array.isArray(accessKeys) || accessKeys.length === 0 || accessKeys.some((k) => typeof k !== "string" || k === "")) {
    throw invalidArgument("accessKeys must be a non-empty array of non-empty strings");
  }
}

/**
 * The `ce-signature` value for a connection: `sha256=<hex HMAC of the connection id>` per key
 * (primary first), comma-separated. Keys are used as their UTF-8 bytes.
 */
export async function signConnectionId(connectionId: string, accessKeys: readonly string[]): Promise<string> {
  if (typeof connectionId !== "string") throw invalidArgument("connectionId must be a string");
  checkKeys(accessKeys);
  const parts = await Promise.all(accessKeys.map(async (key) => `sha256=${await hmacSha256Hex(key, connectionId)}`));
  return parts.join(",");
}

/**
 * True when any `sha256=` entry of `header` matches the HMAC of `connectionId` under any of
 * the keys. Every pair is compared, in constant time, so timing reveals neither which key
 * nor which entry matched. False for a missing or malformed header; never throws on it.
 */
export async function verifySignature(header: string | null | undefined, connectionId: string, accessKeys: readonly string[]): Promise<boolean> {
  checkKeys(accessKeys);
  if (typeof header !== "string" || typeof connectionId !== "string") return false;
  const entries = header.split(",");
  if (entries.length > MAX_SIGNATURE_ENTRIES) return false;
  const provided: string[] = [];
  for (const entry of entries) {
    const m = /^\s*sha256=([0-9a-f]{64})\s*$/i.exec(entry);
    if (m) provided.push(m[1]!.toLowerCase());
  }
  if (provided.length === 0) return false;
  const expected = await Promise.all(accessKeys.map((key) => hmacSha256Hex(key, connectionId)));
  let match = false;
  for (const e of expected) {
    for (const p of provided) match = timingSafeEqualText(e, p) || match;
  }
  return match;
}

// ---------------------------------------------------------------------------------------------
// ce-connectionState

/** Most bytes of connection state a handler can set; the service caps header sizes too. */
export const MAX_CONNECTION_STATE_BYTES = 16 * 1024;

/** Encodes handler state for `ce-connectionState`: base64 of its JSON, as the official Express handler does. */
export function encodeConnectionState(state: Record<string, unknown>): string {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw invalidArgument("connection state must be a plain object");
  }
  let json: string;
  try {
    json = JSON.stringify(state);
  } catch (err) {
    throw Object.assign(invalidArgument("connection state must be JSON-serializable"), { cause: err });
  }
  const encoded = textToBase64(json);
  if (encoded.length > MAX_CONNECTION_STATE_BYTES) {
    throw invalidArgument(`connection state is ${encoded.length} bytes encoded; at most ${MAX_CONNECTION_STATE_BYTES} are allowed`);
  }
  return encoded;
}

/** Decodes a `ce-connectionState` header set by {@link encodeConnectionState}; undefined when absent or not base64 JSON of an object. */
export function decodeConnectionState(header: string | null | undefined): Record<string, unknown> | undefined {
  if (typeof header !== "string" || header === "" || header.length > MAX_CONNECTION_STATE_BYTES) return undefined;
  const text = base64ToText(header);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Abuse protection

/**
 * True when a validation answer's `WebHook-Allowed-Origin` admits `origin`: `*` or the host
 * itself, compared case-insensitively. Repeated headers arrive joined with ", " (fetch).
 */
export function isOriginAllowed(allowedOrigin: string | null | undefined, origin: string): boolean {
  if (typeof allowedOrigin !== "string") return false;
  const wanted = origin.trim().toLowerCase();
  return allowedOrigin
    .split(",")
    .map((o) => o.trim().toLowerCase())
    .some((o) => o === "*" || (o !== "" && o === wanted));
}

/** The `WebHook-Allowed-Origin` value a handler answers with: `*`, or its allowed hosts. */
export function allowedOriginHeaderValue(allowed: "*" | readonly string[]): string {
  if (allowed === "*") return "*";
  if (!Array.isArray(allowed) || allowed.length === 0 || allowed.some((h) => typeof h !== "string" || h.trim() === "" || /[,\s]/.test(h.trim()))) {
    throw invalidArgument("allowed origins must be \"*\" or a non-empty list of host names");
  }
  return allowed.map((h) => h.trim().toLowerCase()).join(", ");
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** A client certificate the client presented, forwarded in `connect`. */
export interface ClientCertificateInfo {
  thumbprint: string;
  content: string;
}

/** MQTT CONNECT packet fields, forwarded in an MQTT `connect`. */
export interface MqttConnectProperties {
  /** 4 for MQTT 3.1.1, 5 for MQTT 5.0. */
  protocolVersion: number;
  /** CONNECT username. */
  username?: string;
  /** CONNECT password, base64. */
  password?: string;
  /** MQTT 5 user properties. */
  userProperties?: MqttUserProperty[];
}

/** One MQTT 5 user property. */
export interface MqttUserProperty {
  /** Property name. */
  name: string;
  /** Property value. */
  value: string;
}

/** Body of the `connect` event. Every map value is an array, even for one value. */
export interface ConnectEventRequestBody {
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: ClientCertificateInfo[];
  /** Present on MQTT connections only. */
  mqtt?: MqttConnectProperties;
}

/** A 200 answer to `connect`; every field is optional, and a 204 means "all defaults". */
export interface ConnectEventResponseBody {
  /** Overrides the token's user; `null` keeps it. */
  userId?: string | null;
  /** Groups to join. */
  groups?: string[];
  /** Roles replacing the token's roles (`[]` clears them). */
  roles?: string[];
  /** One of the subprotocols the client offered; never blank. */
  subprotocol?: string;
  /** MQTT 5 user properties for the CONNACK. */
  mqtt?: { userProperties?: MqttUserProperty[] };
}

/** A failed MQTT `connect` answer body; its status maps to an MQTT return code. */
export interface MqttConnectErrorBody {
  mqtt: { code: number; reason?: string; userProperties?: MqttUserProperty[] };
}

/** Body of `connected`: empty. */
export type ConnectedEventBody = Record<string, never>;

/** Body of `disconnected`. MQTT connections add the DISCONNECT packet. */
export interface DisconnectedEventBody {
  reason?: string;
  mqtt?: { initiatedByClient: boolean; disconnectPacket: { code: number; userProperties?: MqttUserProperty[] } };
}

/** Body of the group `joined`/`left` events. */
export interface GroupEventBody {
  group: string;
}

/** Result of the body parsers below; never thrown. */
export type BodyParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function parseJson(text: string): BodyParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: "the body is not JSON" };
  }
}

function stringArrayMap(value: unknown, name: string): BodyParseResult<Record<string, string[]>> {
  if (value === undefined || value === null) return { ok: true, value: {} };
  if (!isPlainObject(value)) return { ok: false, message: `'${name}' must be an object` };
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value)) {
    // Some senders put single values as plain strings; the service always sends arrays.
    if (typeof v === "string") out[k] = [v];
    else if (isStringArray(v)) out[k] = v;
    else return { ok: false, message: `'${name}.${k}' must be an array of strings` };
  }
  return { ok: true, value: out };
}

function userProperties(value: unknown, name: string): BodyParseResult<MqttUserProperty[] | undefined> {
  if (value === undefined || value === null) return { ok: true, value: undefined };
  if (!Array.isArray(value) || !value.every((p) => isPlainObject(p) && typeof p["name"] === "string" && typeof p["value"] === "string")) {
    return { ok: false, message: `'${name}' must be an array of {name, value} strings` };
  }
  return { ok: true, value: value.map((p: Record<string, string>) => ({ name: p["name"]!, value: p["value"]! })) };
}

/** Parses and checks a `connect` request body. */
export function parseConnectRequestBody(text: string): BodyParseResult<ConnectEventRequestBody> {
  const json = parseJson(text);
  if (!json.ok) return json;
  const v = json.value;
  if (!isPlainObject(v)) return { ok: false, message: "the body is not a JSON object" };
  const claims = stringArrayMap(v["claims"], "claims");
  if (!claims.ok) return claims;
  const query = stringArrayMap(v["query"], "query");
  if (!query.ok) return query;
  const headers = stringArrayMap(v["headers"], "headers");
  if (!headers.ok) return headers;
  const subprotocols = v["subprotocols"] ?? [];
  if (!isStringArray(subprotocols)) return { ok: false, message: "'subprotocols' must be an array of strings" };
  const certs = v["clientCertificates"] ?? [];
  if (!Array.isArray(certs) || !certs.every((c) => isPlainObject(c) && typeof c["thumbprint"] === "string" && typeof (c["content"] ?? "") === "string")) {
    return { ok: false, message: "'clientCertificates' must be an array of {thumbprint, content}" };
  }
  const body: ConnectEventRequestBody = {
    claims: claims.value,
    query: query.value,
    headers: headers.value,
    subprotocols,
    clientCertificates: certs.map((c: Record<string, unknown>) => ({ thumbprint: c["thumbprint"] as string, content: (c["content"] as string | undefined) ?? "" })),
  };
  const mqtt = v["mqtt"];
  if (mqtt !== undefined && mqtt !== null) {
    if (!isPlainObject(mqtt) || typeof mqtt["protocolVersion"] !== "number") return { ok: false, message: "'mqtt.protocolVersion' must be a number" };
    const props = userProperties(mqtt["userProperties"], "mqtt.userProperties");
    if (!props.ok) return props;
    const m: MqttConnectProperties = { protocolVersion: mqtt["protocolVersion"] };
    if (typeof mqtt["username"] === "string") m.username = mqtt["username"];
    if (typeof mqtt["password"] === "string") m.password = mqtt["password"];
    if (props.value) m.userProperties = props.value;
    body.mqtt = m;
  }
  return { ok: true, value: body };
}

/**
 * Parses a 200 `connect` answer. An empty or `null` body means "defaults" (`{}`); `userId:
 * null` is dropped. Checks types only; what the fields do is up to the service.
 */
export function parseConnectResponseBody(text: string): BodyParseResult<ConnectEventResponseBody> {
  if (text.trim() === "") return { ok: true, value: {} };
  const json = parseJson(text);
  if (!json.ok) return json;
  const v = json.value;
  if (v === null) return { ok: true, value: {} };
  if (!isPlainObject(v)) return { ok: false, message: "the body is not a JSON object" };
  const out: ConnectEventResponseBody = {};
  const { userId, groups, roles, subprotocol, mqtt } = v;
  if (userId !== undefined && userId !== null) {
    if (typeof userId !== "string") return { ok: false, message: "'userId' must be a string" };
    out.userId = userId;
  }
  if (groups !== undefined && groups !== null) {
    if (!isStringArray(groups)) return { ok: false, message: "'groups' must be an array of strings" };
    out.groups = groups;
  }
  if (roles !== undefined && roles !== null) {
    if (!isStringArray(roles)) return { ok: false, message: "'roles' must be an array of strings" };
    out.roles = roles;
  }
  if (subprotocol !== undefined && subprotocol !== null) {
    if (typeof subprotocol !== "string" || subprotocol.trim() === "") return { ok: false, message: "'subprotocol' must be a non-blank string" };
    out.subprotocol = subprotocol;
  }
  if (mqtt !== undefined && mqtt !== null) {
    if (!isPlainObject(mqtt)) return { ok: false, message: "'mqtt' must be an object" };
    const props = userProperties(mqtt["userProperties"], "mqtt.userProperties");
    if (!props.ok) return props;
    out.mqtt = props.value ? { userProperties: props.value } : {};
  }
  return { ok: true, value: out };
}

/**
 * Reads a failed (4xx/5xx) `connect` answer: an MQTT error object when the body is one,
 * else its text as the reason, cut to `maxReasonLength` characters.
 */
export function parseConnectErrorBody(text: string, maxReasonLength = 1024): { reason?: string; mqtt?: MqttConnectErrorBody["mqtt"] } {
  const cut = (s: string): string => (s.length > maxReasonLength ? `${s.slice(0, maxReasonLength)}…` : s);
  const json = text.trimStart().startsWith("{") ? parseJson(text) : undefined;
  if (json?.ok && isPlainObject(json.value) && isPlainObject(json.value["mqtt"]) && typeof json.value["mqtt"]["code"] === "number") {
    const m = json.value["mqtt"];
    const mqtt: MqttConnectErrorBody["mqtt"] = { code: m["code"] as number };
    if (typeof m["reason"] === "string") mqtt.reason = cut(m["reason"]);
    const props = userProperties(m["userProperties"], "mqtt.userProperties");
    if (props.ok && props.value) mqtt.userProperties = props.value;
    return mqtt.reason === undefined ? { mqtt } : { reason: mqtt.reason, mqtt };
  }
  return text === "" ? {} : { reason: cut(text) };
}

/** Parses a `disconnected` body (`{}` or `{"reason": …}`, plus `mqtt` for MQTT). */
export function parseDisconnectedBody(text: string): BodyParseResult<DisconnectedEventBody> {
  if (text.trim() === "") return { ok: true, value: {} };
  const json = parseJson(text);
  if (!json.ok) return json;
  const v = json.value;
  if (!isPlainObject(v)) return { ok: false, message: "the body is not a JSON object" };
  const out: DisconnectedEventBody = {};
  if (v["reason"] !== undefined && v["reason"] !== null) {
    if (typeof v["reason"] !== "string") return { ok: false, message: "'reason' must be a string" };
    out.reason = v["reason"];
  }
  const mqtt = v["mqtt"];
  if (mqtt !== undefined && mqtt !== null) {
    const packet = isPlainObject(mqtt) ? mqtt["disconnectPacket"] : undefined;
    if (!isPlainObject(mqtt) || typeof mqtt["initiatedByClient"] !== "boolean" || !isPlainObject(packet) || typeof packet["code"] !== "number") {
      return { ok: false, message: "'mqtt' must hold initiatedByClient and disconnectPacket.code" };
    }
    const props = userProperties(packet["userProperties"], "mqtt.disconnectPacket.userProperties");
    if (!props.ok) return props;
    out.mqtt = { initiatedByClient: mqtt["initiatedByClient"], disconnectPacket: props.value ? { code: packet["code"], userProperties: props.value } : { code: packet["code"] } };
  }
  return { ok: true, value: out };
}

/** Parses a group `joined`/`left` body. */
export function parseGroupEventBody(text: string): BodyParseResult<GroupEventBody> {
  const json = parseJson(text);
  if (!json.ok) return json;
  const v = json.value;
  if (!isPlainObject(v) || typeof v["group"] !== "string" || v["group"] === "") return { ok: false, message: "'group' must be a non-empty string" };
  return { ok: true, value: { group: v["group"] } };
}

// ---------------------------------------------------------------------------------------------
// User event payloads

/** How a user event's payload is typed on the JSON protocols. */
export type EventDataType = "text" | "json" | "binary";

/** The Content-Type a user event is POSTed with, by its data type. */
export function contentTypeOfDataType(dataType: EventDataType): string {
  switch (dataType) {
    case "text":
      return "text/plain; charset=utf-8";
    case "json":
      return "application/json; charset=utf-8";
    case "binary":
      return "application/octet-stream";
    default:
      throw invalidArgument(`dataType must be text, json or binary (got ${String(dataType)})`);
  }
}

/** The data type of an incoming user event by its Content-Type; undefined for types the service never sends. */
export function dataTypeOfEventContentType(contentType: string | null | undefined): EventDataType | undefined {
  const media = mediaTypeOf(contentType);
  if (media === "text/plain") return "text";
  if (media === "application/json") return "json";
  if (media === "application/octet-stream") return "binary";
  return undefined;
}

/** The data type of a handler's reply body: JSON and text as such, anything else (or none) binary. */
export function dataTypeOfReplyContentType(contentType: string | null | undefined): EventDataType {
  if (isJsonMediaType(contentType)) return "json";
  if (mediaTypeOf(contentType).startsWith("text/")) return "text";
  return "binary";
}
