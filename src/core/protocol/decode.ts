// JSON text -> typed frames. Decoders check shape and limits and never throw: the wire is
// untrusted on both sides (docs/protocol.md#frames, #malformed-frames).
import { MESSAGE_TTL_SECONDS } from "../rules.js";
import { DATA_TYPES, isUint, isValidEventName, isValidGroupName, isValidTtl, UNSUPPORTED_CLIENT_TYPES } from "./constants.js";
import type { WebPubSubDataType } from "./constants.js";
import { isBase64 } from "./base64.js";
import { readCompactFrame } from "./compactJson.js";
import { JsonText } from "./data.js";
import { protocolError, type DecodeResult, type ProtocolError, type ProtocolErrorReason } from "./errors.js";
import type { ClientFrame, FrameError, ServiceFrame } from "./frames.js";

type Fields = Record<string, unknown>;
type Payload = { dataType: WebPubSubDataType; data: unknown };

const GROUP_RULE = "'group' must be 1-1024 characters and not only whitespace.";
const EVENT_RULE = "'event' must match ^[a-z][a-z0-9_.-]{0,127}$.";

/** Options of {@link decodeClientFrame}. */
export interface DecodeClientFrameOptions {
  /**
   * Gives json `data` as a {@link JsonText} instead of its value: the frame's own text of it
   * when that is what JSON.stringify would write, so a relay passes it on without parsing
   * and stringifying it again.
   */
  jsonDataAsText?: boolean;
}

/**
 * Decodes one text frame a client sent. Never throws. A rejection of a readable request
 * carries its `frameType` and `ackId`, so a service can answer with a BadRequest ack.
 */
export function decodeClientFrame(text: string, options?: DecodeClientFrameOptions): DecodeResult<ClientFrame> {
  const asText = options?.jsonDataAsText === true;
  let m: Fields;
  let dataText: string | undefined;
  // The frames clients send are compact; reading those by hand beats JSON.parse. Any other
  // text, valid or not, is JSON.parse's to judge.
  const compact = asText && typeof text === "string" ? readCompactFrame(text) : undefined;
  if (compact !== undefined && typeof compact.fields["type"] === "string") {
    m = compact.fields as unknown as Fields;
    dataText = compact.dataText;
  } else {
    const parsed = parseObject(text);
    if ("error" in parsed) return parsed;
    m = parsed._fields;
  }
  const type = m["type"] as string;
  const rawAckId = m["ackId"];
  if (rawAckId !== undefined && rawAckId !== null && !isUint(rawAckId)) {
    return fail({ ...protocolError("invalid-ack-id", "'ackId' must be a non-negative integer."), frameType: type });
  }
  const ackId = isUint(rawAckId) ? rawAckId : undefined;
  const withAck = ackId === undefined ? {} : { ackId };

  switch (type) {
    case "ping":
      return { ok: true, frame: { type } };
    case "sequenceAck": {
      const sequenceId = m["sequenceId"];
      if (!isUint(sequenceId)) {
        return fail({ ...protocolError("invalid-sequence-id", "'sequenceId' must be a non-negative integer."), frameType: type });
      }
      return { ok: true, frame: { type, sequenceId } };
    }
    case "joinGroup":
    case "leaveGroup": {
      const group = m["group"];
      if (!isValidGroupName(group)) return rejectClient(type, ackId, "invalid-group", GROUP_RULE);
      return { ok: true, frame: { type, group, ...withAck } };
    }
    case "sendToGroup": {
      const group = m["group"];
      if (!isValidGroupName(group)) return rejectClient(type, ackId, "invalid-group", GROUP_RULE);
      const noEcho = m["noEcho"] ?? false;
      if (typeof noEcho !== "boolean") return rejectClient(type, ackId, "invalid-field", "'noEcho' must be a boolean.");
      const ttl = m["ttlSeconds"];
      if (ttl !== undefined && ttl !== null && !isValidTtl(ttl)) {
        return rejectClient(type, ackId, "invalid-field", `'ttlSeconds' must be ${MESSAGE_TTL_SECONDS.min}-${MESSAGE_TTL_SECONDS.max}.`);
      }
      const payload = clientPayload(m, text.length, asText, dataText);
      if ("reason" in payload) return rejectClient(type, ackId, payload.reason, payload.message);
      // Written out rather than spread: the commonest frame, decoded for every send.
      const frame: ClientFrame =
        ackId === undefined
          ? { type, group, noEcho, dataType: payload.dataType, data: payload.data }
          : { type, group, ackId, noEcho, dataType: payload.dataType, data: payload.data };
      if (isValidTtl(ttl)) frame.ttlSeconds = ttl;
      return { ok: true, frame };
    }
    case "event": {
      const event = m["event"];
      if (!isValidEventName(event)) return rejectClient(type, ackId, "invalid-event", EVENT_RULE);
      const payload = clientPayload(m, text.length, asText, dataText);
      if ("reason" in payload) return rejectClient(type, ackId, payload.reason, payload.message);
      return { ok: true, frame: { type, event, ...withAck, ...payload } };
    }
    case "invoke": {
      const invocationId = m["invocationId"];
      if (typeof invocationId !== "string" || invocationId === "") {
        return rejectClient(type, ackId, "invalid-field", "'invocationId' must be a non-empty string.");
      }
      const target = m["target"] ?? "event";
      if (target !== "event") return rejectClient(type, ackId, "invalid-field", "'target' must be 'event'.");
      const event = m["event"];
      if (!isValidEventName(event)) return rejectClient(type, ackId, "invalid-event", EVENT_RULE);
      // The official client leaves dataType and data out of an invoke without a payload.
      const payload: Payload | WireProblem =
        m["data"] === undefined && m["dataType"] == null ? { dataType: "json", data: undefined } : clientPayload(m, text.length, asText, dataText);
      if ("reason" in payload) return rejectClient(type, ackId, payload.reason, payload.message);
      return { ok: true, frame: { type, invocationId, target, event, ...payload } };
    }
    default:
      return UNSUPPORTED_CLIENT_TYPES.includes(type)
        ? rejectClient(type, ackId, "unsupported-type", `Message type '${type}' is not supported.`)
        : rejectClient(type, ackId, "unknown-type", `Unknown message type '${type}'.`);
  }
}

// A field error of a request that has an ackId can be answered instead of closing. A function
// of its own rather than a closure: the emulator decodes every frame a client sends.
function rejectClient(frameType: string, ackId: number | undefined, reason: ProtocolErrorReason, message: string): DecodeResult<never> {
  const error: ProtocolError = { ...protocolError(reason, message), frameType };
  if (ackId !== undefined) error.ackId = ackId;
  return fail(error);
}

/**
 * Decodes one text frame the service sent. Never throws. A `type` (or system event, or
 * message source) this version does not know gives `unknown-type`: callers should ignore
 * those frames, as the protocol adds types over time. A valid frame is the parsed object
 * itself, checked against SERVICE_FRAMES and normalised where the protocol allows a field to
 * be absent or null: a client decodes every message it receives, so nothing is copied.
 */
export function decodeServiceFrame(text: string): DecodeResult<ServiceFrame> {
  const parsed = parseObject(text);
  if ("error" in parsed) return parsed;
  const m = parsed._fields;
  const field = serviceFault(m);
  if (field === undefined) return { ok: true, frame: m as unknown as ServiceFrame };
  const reason = FAULT_REASONS[field] ?? "invalid-field";
  return rejectFrame(m["type"] as string, reason, serviceFaultMessage(m, reason, field));
}

/**
 * The same checks and normalisation as {@link decodeServiceFrame}, without saying why a frame
 * was refused: the frame, or undefined. For clients, which skip what they cannot read; the
 * sentences stay out of their browser bundle.
 */
export function readServiceFrame(text: string): ServiceFrame | undefined {
  if (typeof text !== "string") return undefined;
  // A positive ack, as the service writes it, is read without JSON.parse: with many sends
  // in flight it is most of what a client receives. Any other text takes the full path.
  const ack = POSITIVE_ACK.exec(text);
  if (ack) return { type: "ack", ackId: +ack[1]!, success: true };
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isTypedObject(m) && serviceFault(m) === undefined ? (m as unknown as ServiceFrame) : undefined;
}

// The field that makes a service frame refused ("" for an unknown type), undefined when the
// frame is valid (then `m` is normalised in place). The reason is looked up from the field by
// decodeServiceFrame, so readServiceFrame carries no reasons.
function serviceFault(m: Fields): string | undefined {
  const type = m["type"] as string;
  let shape = SERVICE_FRAMES.get(type);
  if (shape instanceof Map) shape = shape.get(serviceFrameName(m) as string);
  if (!shape) return "";
  for (const [field, check] of shape._fields) {
    if (!check(m[field])) return field;
  }
  // Absent and null mean the same; the typed frame has them absent.
  if (m["error"] === null) delete m["error"];
  if (m["reconnectionToken"] === null) delete m["reconnectionToken"];
  if (type === "system" && m["event"] === "disconnected") m["message"] ??= "";
  if (type === "invokeResponse" && m["dataType"] == null) {
    delete m["dataType"];
    delete m["data"];
  } else if (shape._payload) {
    const dataType = m["dataType"];
    if (!isDataType(dataType)) return "dataType";
    if (!isValidData(dataType, m["data"])) return "data";
  }
  return undefined;
}

// Messages are told apart by source, system frames by event, the rest by type alone.
function serviceFrameName(m: Fields): unknown {
  const type = m["type"];
  return type === "message" ? m["from"] : type === "system" ? m["event"] : type;
}

// Why serviceFault refused a frame, by the field it returned; fields not listed are `invalid-field`.
const FAULT_REASONS: Readonly<Record<string, ProtocolErrorReason>> = {
  "": "unknown-type",
  ackId: "invalid-ack-id",
  sequenceId: "invalid-sequence-id",
  group: "invalid-group",
  dataType: "invalid-data-type",
  data: "invalid-data",
};

function serviceFaultMessage(m: Fields, reason: ProtocolErrorReason, field: string): string {
  switch (reason) {
    case "unknown-type": {
      const kind = m["type"] === "message" ? "source" : m["type"] === "system" ? "event" : "type";
      return `Unknown message ${kind} '${String(serviceFrameName(m))}'.`;
    }
    case "invalid-data-type":
      return DATA_TYPE_RULE;
    case "invalid-data":
      return dataProblem(m["dataType"] as WebPubSubDataType, m["data"])!;
    default:
      return `'${field}' is missing or invalid.`;
  }
}

// A function of its own rather than a closure: decodeServiceFrame runs for every message.
function rejectFrame(frameType: string, reason: ProtocolErrorReason, message: string): DecodeResult<never> {
  return fail({ ...protocolError(reason, message), frameType });
}

type FieldCheck = readonly [field: string, check: (value: unknown) => boolean];

const isString = (v: unknown): boolean => typeof v === "string";
const isBoolean = (v: unknown): boolean => typeof v === "boolean";
const optional =
  (check: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    v == null || check(v);
const isFrameError = (v: unknown): boolean =>
  typeof v === "object" && !Array.isArray(v) && isString((v as Fields)["name"]) && isString((v as Fields)["message"]);
const SEQUENCE_ID: FieldCheck = ["sequenceId", (v) => v === undefined || isUint(v)];

type Shape = { _fields: readonly FieldCheck[]; _payload?: boolean };

/**
 * The fields each service frame must have, by type, then by source for messages and by event
 * for system frames; `_payload`: it carries dataType and data. Maps of plain names (a key
 * built per frame would cost more than the checks), so a `type` such as "constructor" finds
 * nothing rather than Object's own properties.
 */
// `_` keys are internal: the browser build shortens them (scripts/browserBundle.mjs).
const SERVICE_FRAMES = new Map<string, Shape | Map<string, Shape>>([
  ["ack", { _fields: [["ackId", isUint], ["success", isBoolean], ["error", optional(isFrameError)]] }],
  [
    "message",
    new Map([
      ["server", { _fields: [SEQUENCE_ID], _payload: true }],
      ["group", { _fields: [SEQUENCE_ID, ["group", isString], ["fromUserId", optional(isString)]], _payload: true }],
    ]),
  ],
  [
    "system",
    new Map([
      ["connected", { _fields: [["connectionId", (v) => isString(v) && v !== ""], ["userId", optional(isString)], ["reconnectionToken", optional(isString)]] }],
      ["disconnected", { _fields: [["message", optional(isString)]] }],
    ]),
  ],
  ["pong", { _fields: [] }],
  [
    "invokeResponse",
    { _fields: [["invocationId", isString], ["success", (v) => v === undefined || isBoolean(v)], ["error", optional(isFrameError)]], _payload: true },
  ],
]);

// A positive ack as the service writes it (readServiceFrame), its ackId in canonical digits
// short enough to be exact: "007", "1e3", " 1" or 16 digits are left to JSON.parse.
const POSITIVE_ACK = /^\{"type":"ack","ackId":(0|[1-9]\d{0,14}),"success":true\}$/;

type WireProblem = { reason: ProtocolErrorReason; message: string };

// Frames up to this long nest at most 2,000 levels, far below what JSON.stringify handles.
const SHALLOW_FRAME_CHARS = 4000;

const DATA_TYPE_RULE = "'dataType' must be 'json', 'text' or 'binary'.";

function fail(error: ProtocolError): { ok: false; error: ProtocolError } {
  return { ok: false, error };
}

// Parses text into an object with a string `type`; the common first step of both decoders.
function parseObject(text: string): { _fields: Fields } | { ok: false; error: ProtocolError } {
  if (typeof text !== "string") return fail(protocolError("invalid-json", "The message must be text.", 1003));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(protocolError("invalid-json", "The message is not valid JSON."));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(protocolError("not-an-object", "The message must be a JSON object with a string 'type'."));
  }
  if (typeof (value as Fields)["type"] !== "string") {
    return fail(protocolError("invalid-type", "The message must be a JSON object with a string 'type'."));
  }
  return { _fields: value as Fields };
}

// What parseObject accepts: a JSON object with a string `type`.
function isTypedObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Fields)["type"] === "string";
}

// Client payloads default to json, like the service (docs/protocol.md#data-types). `asText`:
// json data becomes a JsonText, `dataText` when the compact reader took it from the frame.
function clientPayload(m: Fields, textLength: number, asText: boolean, dataText: string | undefined): Payload | WireProblem {
  const dataType = m["dataType"] ?? "json";
  const data = m["data"];
  if (!isDataType(dataType)) return { reason: "invalid-data-type", message: DATA_TYPE_RULE };
  const problem = dataProblem(dataType, data);
  if (problem) return { reason: "invalid-data", message: problem };
  if (dataType !== "json") return { dataType, data };
  if (asText && dataText !== undefined) return { dataType, data: JsonText.stringified(dataText) };
  // JSON.parse takes any depth but JSON.stringify recurses: a deep enough array would
  // overflow the stack of whoever encodes this value again. Each level takes at least two
  // characters of the frame, so a short frame cannot nest deep enough to matter.
  if (asText || textLength > SHALLOW_FRAME_CHARS) {
    let json: string;
    try {
      json = JSON.stringify(data);
    } catch {
      return { reason: "invalid-data", message: "'data' is nested too deeply." };
    }
    if (asText) return { dataType, data: JsonText.stringified(json) };
  }
  return { dataType, data };
}

function dataProblem(dataType: WebPubSubDataType, data: unknown): string | undefined {
  if (isValidData(dataType, data)) return undefined;
  return dataType === "json"
    ? "'data' is required."
    : dataType === "text"
      ? "'data' must be a string when 'dataType' is 'text'."
      : "'data' must be base64 when 'dataType' is 'binary'.";
}

function isValidData(dataType: WebPubSubDataType, data: unknown): boolean {
  return dataType === "json" ? data !== undefined : dataType === "text" ? typeof data === "string" : typeof data === "string" && isBase64(data);
}

function isDataType(value: unknown): value is WebPubSubDataType {
  return (DATA_TYPES as readonly unknown[]).includes(value);
}
