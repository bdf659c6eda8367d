// Payload <-> wire `data` (docs/protocol.md#data-types): text is a string, json any JSON
// value, binary is base64 on the wire and Uint8Array | ArrayBuffer in memory.
import { invalidArgument } from "../errors.js";
import { VERBOSE } from "../verbose.js";
import { base64ToBytes, bytesToBase64 } from "./base64.js";
import type { WebPubSubDataType } from "./constants.js";
import { protocolError, type DecodeResult } from "./errors.js";

/**
 * JSON text known to be valid, embedded into an encoded frame as it is. Lets a relay pass
 * JSON through without parsing it again, and keeps numbers beyond 2^53 exact.
 */
export class JsonText {
  /** The JSON text. */
  readonly text: string;
  private constructor(text: string) {
    this.text = text;
  }

  /** Wraps `text` if it parses as JSON; undefined otherwise. Surrounding whitespace is dropped. */
  static from(text: string): JsonText | undefined {
    try {
      JSON.parse(text);
    } catch {
      return undefined;
    }
    return new JsonText(text.trim());
  }

  /** Wraps what JSON.stringify returned: valid by construction, so not parsed again. */
  static stringified(text: string): JsonText {
    return new JsonText(text);
  }

  /** The parsed value. */
  parse(): unknown {
    return JSON.parse(this.text);
  }
}

/**
 * Converts a payload to the wire `data` of `dataType`: a string, base64 for binary, and for json
 * a {@link JsonText} (the value is stringified once, here, which also proves it can be).
 * Throws TypeError (WPS_ERR_INVALID_ARGUMENT) on a mismatch.
 */
export function encodeData(content: unknown, dataType: WebPubSubDataType): unknown {
  switch (dataType) {
    case "text":
      if (typeof content === "string") return content;
      break;
    case "json": {
      if (content instanceof JsonText) return content;
      let text: string | undefined;
      try {
        text = JSON.stringify(content);
      } catch (err) {
        throw Object.assign(invalidArgument(VERBOSE ? `dataType "json": ${messageOf(err)}` : "content"), { cause: err });
      }
      // undefined, a function or a symbol has no JSON form.
      if (text !== undefined) return JsonText.stringified(text);
      break;
    }
    case "binary": {
      const bytes = asBytes(content);
      if (bytes) return bytesToBase64(bytes);
      break;
    }
    default:
      throw invalidArgument(VERBOSE ? `dataType must be "text", "json" or "binary", got ${String(dataType)}` : "dataType");
  }
  // One message for every mismatch, e.g. `dataType "text" needs a string, got number`.
  throw invalidArgument(VERBOSE ? `dataType "${dataType}" needs ${CONTENT[dataType]}, got ${kindOf(content)}` : "content");
}

// What each data type takes, as a mismatch message says it.
const CONTENT: Record<WebPubSubDataType, string> = { text: "a string", json: "a JSON value", binary: "a Uint8Array or ArrayBuffer" };

/** Converts wire `data` back to a payload: string, parsed JSON value, or Uint8Array. Never throws. */
export function decodeData(dataType: WebPubSubDataType, data: unknown): DecodeResult<string | Uint8Array | unknown> {
  switch (dataType) {
    case "text":
      return typeof data === "string" ? { ok: true, frame: data } : dataError("'data' must be a string when 'dataType' is 'text'.");
    case "json":
      if (data === undefined) return dataError("'data' is required.");
      return { ok: true, frame: data instanceof JsonText ? data.parse() : data };
    case "binary": {
      const bytes = typeof data === "string" ? base64ToBytes(data) : undefined;
      return bytes ? { ok: true, frame: bytes } : dataError("'data' must be base64 when 'dataType' is 'binary'.");
    }
    default:
      return { ok: false, error: protocolError("invalid-data-type", "'dataType' must be 'json', 'text' or 'binary'.") };
  }
}

function dataError(message: string): DecodeResult<never> {
  return { ok: false, error: protocolError("invalid-data", message) };
}

function asBytes(content: unknown): Uint8Array | undefined {
  if (content instanceof Uint8Array) return content;
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
