// Turns a read body into the typed request a callback receives, or says why it cannot.
// Every check happens before any callback runs: a callback never sees half-parsed data.
import type { BodyResult } from "./exchange.js";
import type { ConnectionContext, UserEventRequest } from "./types.js";

/** A parsed value, or the reason (for a 400 message) it is not acceptable. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodeText(bytes: Uint8Array): Parsed<string> {
  try {
    return { ok: true, value: utf8.decode(bytes) };
  } catch {
    return fail("the body is not valid UTF-8");
  }
}

function parseJsonText(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return fail("the body is not valid JSON");
  }
}

/** The body of a system event as text, for the core's body parsers. */
export function bodyText(body: BodyResult & { kind: "bytes" | "parsed" }): Parsed<string> {
  if (body.kind === "bytes") return decodeText(body.bytes);
  const value = body.value;
  if (typeof value === "string") return { ok: true, value };
  if (isBytes(value)) return decodeText(value);
  // express.json() already parsed it; the core parsers take text, so hand them JSON text again.
  return { ok: true, value: JSON.stringify(value) ?? "" };
}

/** The `connected` body: empty or a JSON object (the service sends `{}`). */
export function readConnectedBody(text: string): Parsed<Record<string, unknown>> {
  if (text.trim() === "") return { ok: true, value: {} };
  const json = parseJsonText(text);
  if (!json.ok) return json;
  return isObject(json.value) ? { ok: true, value: json.value } : fail("the body must be a JSON object");
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Builds the user event request from its body. */
export function readUserEvent(context: ConnectionContext, dataType: "text" | "json" | "binary", body: BodyResult & { kind: "bytes" | "parsed" }): Parsed<UserEventRequest> {
  if (body.kind === "parsed" && !isBytes(body.value)) {
    // An earlier body parser produced a value: a string (express.text()) or a JSON value
    // (express.json(); a string there is a JSON string value, with `strict: false`).
    const value = body.value;
    if (dataType === "json") return { ok: true, value: { context, data: value, dataType } };
    if (dataType === "text" && typeof value === "string") return { ok: true, value: { context, data: value, dataType } };
    if (dataType === "binary" && typeof value === "string") return { ok: true, value: { context, data: toArrayBuffer(new TextEncoder().encode(value)), dataType } };
    return fail(`an earlier body parser turned the ${dataType} body into a ${typeof value}; mount the handler before it, or use express.raw()`);
  }
  const bytes = body.kind === "bytes" ? body.bytes : (body.value as Uint8Array);
  if (dataType === "binary") return { ok: true, value: { context, data: toArrayBuffer(bytes), dataType } };
  const text = decodeText(bytes);
  if (!text.ok) return text;
  if (dataType === "text") return { ok: true, value: { context, data: text.value, dataType } };
  const json = parseJsonText(text.value);
  if (!json.ok) return json;
  return { ok: true, value: { context, data: json.value, dataType } };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  // A view over a larger buffer (Node's pooled Buffers) must not leak the neighbouring bytes.
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  // new Uint8Array(view) copies; Buffer#slice would not.
  return new Uint8Array(bytes).buffer;
}
