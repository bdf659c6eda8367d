// Turns a send() message into a request body and Content-Type. Differs from
// @azure/web-pubsub on purpose: a bare string is text/plain there it would be a JSON string
// (azure-webpubsub#29), and empty bodies are refused locally (the service answers 500, azure-webpubsub#39).
import { invalidArgument, MAX_MESSAGE_BYTES, mediaTypeOf, outOfRange } from "../core/index.js";

/** Content types the send operations accept. */
export type MessageContentType = "application/json" | "text/plain" | "application/octet-stream";

/** A Node.js readable stream, typed structurally so no `node:` import is needed. */
export interface NodeReadableLike {
  /** `stream.Readable#pipe`. */
  pipe: (...args: never[]) => unknown;
  /** `EventEmitter#on`. */
  on: (...args: never[]) => unknown;
}

/** Binary payloads, sent as `application/octet-stream`. */
export type BinaryMessage = Uint8Array | ArrayBuffer | ArrayBufferView | Blob | NodeReadableLike | ReadableStream<Uint8Array>;

/** Default upper bound for a message body, in bytes (the service limit is 1 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = MAX_MESSAGE_BYTES;

/** What goes on the wire. */
export interface EncodedMessage {
  /** The media type only: parameters such as `charset` are dropped (the service reads text as UTF-8). */
  contentType: MessageContentType;
  body: string | Uint8Array | Blob | NodeReadableLike | ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

function isNodeReadable(x: unknown): x is NodeReadableLike {
  return typeof x === "object" && x !== null && typeof (x as NodeReadableLike).pipe === "function" && typeof (x as NodeReadableLike).on === "function";
}

function isWebStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== "undefined" && x instanceof ReadableStream;
}

/** True for a Blob (File included), where the runtime has Blob. */
export function isBlob(x: unknown): x is Blob {
  return typeof Blob !== "undefined" && x instanceof Blob;
}

/** True for every value sent as `application/octet-stream` by default. */
export function isBinary(x: unknown): x is BinaryMessage {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || isBlob(x) || isNodeReadable(x) || isWebStream(x);
}

function toBytes(x: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (x instanceof Uint8Array) return x; // Buffer included: no copy
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

function checkSize(bytes: number, max: number): void {
  if (bytes === 0) throw invalidArgument("message must not be empty (the service rejects empty bodies)");
  if (bytes > max) throw outOfRange(`message is ${bytes} bytes; the limit is ${max} bytes`);
}

function textSize(text: string, max: number): void {
  // UTF-8 needs at most 3 bytes per UTF-16 unit, so short strings skip the exact count.
  if (text.length === 0 || text.length * 3 > max) checkSize(text.length === 0 ? 0 : encoder.encode(text).byteLength, max);
}

function binary(message: BinaryMessage, max: number): EncodedMessage {
  if (message instanceof ArrayBuffer || ArrayBuffer.isView(message)) {
    const bytes = toBytes(message);
    checkSize(bytes.byteLength, max);
    return { contentType: "application/octet-stream", body: bytes };
  }
  if (isBlob(message)) checkSize(message.size, max);
  // Streams have no known length; the service enforces its own limit.
  return { contentType: "application/octet-stream", body: message };
}

function jsonText(text: string, max: number): EncodedMessage {
  // Bytes, not a string: the REST runtime would JSON.stringify a string body a second time.
  const body = encoder.encode(text);
  checkSize(body.byteLength, max);
  return { contentType: "application/json", body };
}

function json(value: unknown, max: number): EncodedMessage {
  let text: string | undefined;
  try {
    text = JSON.stringify(value) as string | undefined;
  } catch (err) {
    // A BigInt, a cycle or a throwing toJSON(): the caller's value, so a bad argument.
    throw invalidArgument(`message cannot be encoded as JSON: ${err instanceof Error ? err.message.split("\n", 1)[0] : String(err)}`);
  }
  if (text === undefined) throw invalidArgument(`message of type ${typeof value} cannot be sent as JSON`);
  return jsonText(text, max);
}

/**
 * Chooses Content-Type and body for a send.
 *
 * Without `contentType`: string → `text/plain`; Uint8Array/Buffer/ArrayBuffer/typed array/
 * Blob/stream → `application/octet-stream`; anything else → `application/json` via
 * `JSON.stringify`. With `contentType`: `text/plain` needs a string; `application/json`
 * takes a value to stringify, or a string that already is valid JSON text (sent as-is);
 * `application/octet-stream` needs binary. Other types, empty bodies and bodies over
 * `maxBytes` throw before any request.
 */
export function encodeMessage(message: unknown, contentType: string | undefined, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): EncodedMessage {
  if (contentType === undefined) {
    if (typeof message === "string") {
      textSize(message, maxBytes);
      return { contentType: "text/plain", body: message };
    }
    if (isBinary(message)) return binary(message, maxBytes);
    return json(message, maxBytes);
  }
  if (typeof contentType !== "string") throw invalidArgument("contentType must be a string");
  const media = mediaTypeOf(contentType);
  switch (media) {
    case "text/plain":
      if (typeof message !== "string") throw invalidArgument(`contentType 'text/plain' needs a string message (got ${describe(message)})`);
      textSize(message, maxBytes);
      return { contentType: media, body: message };
    case "application/json":
      if (isBinary(message)) throw invalidArgument("contentType 'application/json' needs a JSON value or JSON text, not binary data");
      if (typeof message === "string") {
        try {
          JSON.parse(message);
        } catch {
          throw invalidArgument(
            "contentType 'application/json' with a string message needs valid JSON text, which is sent unchanged; to send the string as a JSON string value (as @azure/web-pubsub does), pass JSON.stringify(message)",
          );
        }
        return jsonText(message, maxBytes);
      }
      return json(message, maxBytes);
    case "application/octet-stream":
      if (!isBinary(message)) throw invalidArgument(`contentType 'application/octet-stream' needs binary data: Uint8Array, Buffer, ArrayBuffer, Blob or a stream (got ${describe(message)})`);
      return binary(message, maxBytes);
    default:
      throw invalidArgument(`contentType '${contentType}' is not supported; use application/json, text/plain or application/octet-stream`);
  }
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}
