// JSON text -> typed frames. Decoders check shape and limits and never throw: the wire is
// untrusted on both sides (docs/protocol.md#frames, #malformed-frames).
import { MESSAGE_TTL_SECONDS } from "../rules.js";
import { DATA_TYPES, isUint, isValidEventName, isValidGroupName, isValidTtl, UNSUPPORTED_CLIENT_TYPES } from "./constants.js";
import type { WebPubSubDataType } from "./constants.js";
import { isBase64 } from "./base64.js";
import { protocolError, type DecodeResult, type ProtocolError, type ProtocolErrorReason } from "./errors.js";
import type { ClientFrame, FrameError, ServiceFrame } from "./frames.js";

type Fields = Record<string, unknown>;
type Payload = { dataType: WebPubSubDataType; data: unknown };

const GROUP_RULE = "'group' must be 1-1024 characters and not only whitespace.";
const EVENT_RULE = "'event' must match ^[a-z][a-z0-9_.-]{0,127}$.";

/**
 * Decodes one text frame a client sent. Never throws. A rejection of a readable request
 * carries its `frameType` and `ackId`, so a service can answer with a BadRequest ack.
 */
export function decodeClientFrame(text: string): DecodeResult<ClientFrame> {
  const parsed = parseObject(text);
  if ("error" in parsed) return parsed;
  const m = parsed.fields;
  const type = m["type"] as string;
  const rawAckId = m["ackId"];
  if (rawAckId !== undefined && rawAckId !== null && !isUint(rawAckId)) {
    return fail({ ...protocolError("invalid-ack-id", "'ackId' must be a non-negative integer."), frameType: type });
  }
  const ackId = isUint(rawAckId) ? rawAckId : undefined;
  const withAck = ackId === undefined ? {} : { ackId };
  // A field error of a request that has an ackId can be answered instead of closing.
  const reject = (reason: ProtocolErrorReason, message: string): DecodeResult<never> =>
    fail({ ...protocolError(reason, message), frameType: type, ...withAck });

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
      if (!isValidGroupName(group)) return reject("invalid-group", GROUP_RULE);
      return { ok: true, frame: { type, group, ...withAck } };
    }
    case "sendToGroup": {
      const group = m["group"];
      if (!isValidGroupName(group)) return reject("invalid-group", GROUP_RULE);
      const noEcho = m["noEcho"] ?? false;
      if (typeof noEcho !== "boolean") return reject("invalid-field", "'noEcho' must be a boolean.");
      const ttl = m["ttlSeconds"];
      if (ttl !== undefined && ttl !== null && !isValidTtl(ttl)) {
        return reject("invalid-field", `'ttlSeconds' must be ${MESSAGE_TTL_SECONDS.min}-${MESSAGE_TTL_SECONDS.max}.`);
      }
      const payload = clientPayload(m);
      if ("reason" in payload) return reject(payload.reason, payload.message);
      const frame: ClientFrame = { type, group, ...withAck, noEcho, ...payload };
      if (isValidTtl(ttl)) frame.ttlSeconds = ttl;
      return { ok: true, frame };
    }
    case "event": {
      const event = m["event"];
      if (!isValidEventName(event)) return reject("invalid-event", EVENT_RULE);
      const payload = clientPayload(m);
      if ("reason" in payload) return reject(payload.reason, payload.message);
      return { ok: true, frame: { type, event, ...withAck, ...payload } };
    }
    case "invoke": {
      const invocationId = m["invocationId"];
      if (typeof invocationId !== "string" || invocationId === "") {
        return reject("invalid-field", "'invocationId' must be a non-empty string.");
      }
      const target = m["target"] ?? "event";
      if (target !== "event") return reject("invalid-field", "'target' must be 'event'.");
      const event = m["event"];
      if (!isValidEventName(event)) return reject("invalid-event", EVENT_RULE);
      // The official client leaves dataType and data out of an invoke without a payload.
      const payload: Payload | WireProblem =
        m["data"] === undefined && m["dataType"] == null ? { dataType: "json", data: undefined } : clientPayload(m);
      if ("reason" in payload) return reject(payload.reason, payload.message);
      return { ok: true, frame: { type, invocationId, target, event, ...payload } };
    }
    default:
      return UNSUPPORTED_CLIENT_TYPES.includes(type)
        ? reject("unsupported-type", `Message type '${type}' is not supported.`)
        : reject("unknown-type", `Unknown message type '${type}'.`);
  }
}

/**
 * Decodes one text frame the service sent. Never throws. A `type` (or system event, or
 * message source) this version does not know gives `unknown-type`: callers should ignore
 * those frames, as the protocol adds types over time.
 */
export function decodeServiceFrame(text: string): DecodeResult<ServiceFrame> {
  const parsed = parseObject(text);
  if ("error" in parsed) return parsed;
  const m = parsed.fields;
  const type = m["type"] as string;
  const reject = (reason: ProtocolErrorReason, message: string): DecodeResult<never> =>
    fail({ ...protocolError(reason, message), frameType: type });

  switch (type) {
    case "ack": {
      const ackId = m["ackId"];
      if (!isUint(ackId)) return reject("invalid-ack-id", "'ackId' must be a non-negative integer.");
      const success = m["success"];
      if (typeof success !== "boolean") return reject("invalid-field", "'success' must be a boolean.");
      const error = frameError(m["error"]);
      if (error === null) return reject("invalid-field", "'error' must have a string 'name' and 'message'.");
      return { ok: true, frame: error ? { type, ackId, success, error } : { type, ackId, success } };
    }
    case "message": {
      const from = m["from"];
      if (from !== "server" && from !== "group") return reject("unknown-type", `Unknown message source '${String(from)}'.`);
      const sequenceId = m["sequenceId"];
      if (sequenceId !== undefined && !isUint(sequenceId)) {
        return reject("invalid-sequence-id", "'sequenceId' must be a non-negative integer.");
      }
      const payload = servicePayload(m);
      if ("reason" in payload) return reject(payload.reason, payload.message);
      const seq = sequenceId === undefined ? {} : { sequenceId };
      if (from === "server") return { ok: true, frame: { type, from, ...payload, ...seq } };
      const group = m["group"];
      if (typeof group !== "string") return reject("invalid-group", "'group' must be a string.");
      const fromUserId = m["fromUserId"];
      if (fromUserId !== undefined && fromUserId !== null && typeof fromUserId !== "string") {
        return reject("invalid-field", "'fromUserId' must be a string or null.");
      }
      const user = fromUserId === undefined ? {} : { fromUserId };
      return { ok: true, frame: { type, from, group, ...user, ...payload, ...seq } };
    }
    case "system": {
      const event = m["event"];
      if (event === "connected") {
        const connectionId = m["connectionId"];
        if (typeof connectionId !== "string" || connectionId === "") {
          return reject("invalid-field", "'connectionId' must be a non-empty string.");
        }
        const userId = m["userId"];
        if (userId !== undefined && userId !== null && typeof userId !== "string") {
          return reject("invalid-field", "'userId' must be a string or null.");
        }
        const token = m["reconnectionToken"];
        if (token !== undefined && token !== null && typeof token !== "string") {
          return reject("invalid-field", "'reconnectionToken' must be a string.");
        }
        return {
          ok: true,
          frame: {
            type,
            event,
            connectionId,
            ...(userId === undefined ? {} : { userId }),
            ...(typeof token === "string" ? { reconnectionToken: token } : {}),
          },
        };
      }
      if (event === "disconnected") {
        const message = m["message"] ?? "";
        if (typeof message !== "string") return reject("invalid-field", "'message' must be a string.");
        return { ok: true, frame: { type, event, message } };
      }
      return reject("unknown-type", `Unknown system event '${String(event)}'.`);
    }
    case "pong":
      return { ok: true, frame: { type } };
    case "invokeResponse": {
      const invocationId = m["invocationId"];
      if (typeof invocationId !== "string") return reject("invalid-field", "'invocationId' must be a string.");
      const success = m["success"];
      if (success !== undefined && typeof success !== "boolean") return reject("invalid-field", "'success' must be a boolean.");
      const error = frameError(m["error"]);
      if (error === null) return reject("invalid-field", "'error' must have a string 'name' and 'message'.");
      const frame: ServiceFrame = { type, invocationId };
      if (success !== undefined) frame.success = success;
      if (error) frame.error = error;
      if (m["dataType"] != null) {
        const payload = servicePayload(m);
        if ("reason" in payload) return reject(payload.reason, payload.message);
        frame.dataType = payload.dataType;
        frame.data = payload.data;
      }
      return { ok: true, frame };
    }
    default:
      return reject("unknown-type", `Unknown message type '${type}'.`);
  }
}

type WireProblem = { reason: ProtocolErrorReason; message: string };

function fail(error: ProtocolError): { ok: false; error: ProtocolError } {
  return { ok: false, error };
}

// Parses text into an object with a string `type`; the common first step of both decoders.
function parseObject(text: string): { fields: Fields } | { ok: false; error: ProtocolError } {
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
  return { fields: value as Fields };
}

// Client payloads default to json, like the service (docs/protocol.md#data-types).
function clientPayload(m: Fields): Payload | WireProblem {
  const dataType = m["dataType"] ?? "json";
  const data = m["data"];
  if (!isDataType(dataType)) return { reason: "invalid-data-type", message: "'dataType' must be 'json', 'text' or 'binary'." };
  const problem = dataProblem(dataType, data);
  if (problem) return { reason: "invalid-data", message: problem };
  if (dataType === "json") {
    // JSON.parse takes any depth but JSON.stringify recurses: a deep enough array would
    // overflow the stack of whoever encodes this value again.
    try {
      JSON.stringify(data);
    } catch {
      return { reason: "invalid-data", message: "'data' is nested too deeply." };
    }
  }
  return { dataType, data };
}

// The service always names the data type.
function servicePayload(m: Fields): Payload | WireProblem {
  const dataType = m["dataType"];
  const data = m["data"];
  if (!isDataType(dataType)) return { reason: "invalid-data-type", message: "'dataType' must be 'json', 'text' or 'binary'." };
  const problem = dataProblem(dataType, data);
  return problem ? { reason: "invalid-data", message: problem } : { dataType, data };
}

function dataProblem(dataType: WebPubSubDataType, data: unknown): string | undefined {
  switch (dataType) {
    case "json":
      return data === undefined ? "'data' is required." : undefined;
    case "text":
      return typeof data === "string" ? undefined : "'data' must be a string when 'dataType' is 'text'.";
    case "binary":
      return typeof data === "string" && isBase64(data) ? undefined : "'data' must be base64 when 'dataType' is 'binary'.";
  }
}

function isDataType(value: unknown): value is WebPubSubDataType {
  return (DATA_TYPES as readonly unknown[]).includes(value);
}

// undefined: absent; null: present but malformed.
function frameError(value: unknown): FrameError | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) return null;
  const { name, message } = value as Fields;
  if (typeof name !== "string" || typeof message !== "string") return null;
  return { name, message };
}
