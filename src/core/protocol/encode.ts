// Frames -> JSON text. The only place that writes Web PubSub frames (docs/protocol.md#frames).
import { invalidArgument } from "../errors.js";
import { bytesToBase64 } from "./base64.js";
import { JsonText } from "./data.js";
import type { ClientFrame, GroupDataFrame, ServerDataFrame, ServiceFrame } from "./frames.js";

/**
 * Encodes one frame as JSON text. `data` is taken in its wire form; as a convenience a
 * Uint8Array/ArrayBuffer is base64-encoded and a {@link JsonText} embedded as it is.
 * Throws TypeError (WPS_ERR_INVALID_ARGUMENT) for data JSON cannot encode (a cycle, a bigint).
 */
export function encodeFrame(frame: ClientFrame | ServiceFrame): string {
  if (!("data" in frame) || frame.data === undefined) return stringify(frame);
  const { data, ...head } = frame;
  return appendData(stringify(head), wireData(data));
}

/**
 * {@link encodeFrame} without its checks, for frames JSON always encodes: fields of strings,
 * numbers and booleans, and `data` (if any) a string or {@link JsonText}, as encodeData
 * returns. The client sends only such frames; its browser bundle then carries no
 * encoding-failure path it could never take.
 */
export function encodePlainFrame(frame: ClientFrame): string {
  if (!("data" in frame) || frame.data === undefined) return JSON.stringify(frame);
  const { data, ...head } = frame;
  return appendData(JSON.stringify(head), data instanceof JsonText ? data.text : JSON.stringify(data));
}

/** A message frame encoded once and sent to many: plain, or with any reliable sequence id. */
export interface PreparedMessageFrame {
  /** The frame without a sequence id, for the JSON subprotocol. */
  readonly text: string;
  /** The same frame numbered for the reliable subprotocol; costs one string concatenation. */
  withSequenceId(sequenceId: number): string;
}

/** Encodes a message frame once for fan-out; any `sequenceId` on the input is ignored. */
export function prepareMessageFrame(frame: ServerDataFrame | GroupDataFrame): PreparedMessageFrame {
  // The head is built field by field (a rest spread to drop sequenceId costs more than the
  // encoding); JSON.stringify leaves out an undefined fromUserId, as encodeFrame would.
  const head =
    frame.from === "group"
      ? { type: "message", from: "group", group: frame.group, fromUserId: frame.fromUserId, dataType: frame.dataType }
      : { type: "message", from: "server", dataType: frame.dataType };
  const text = appendData(stringify(head), wireData(frame.data));
  // Everything after the opening brace: a numbered frame is `{"sequenceId":n,` + tail.
  const tail = text.slice(1);
  return {
    text,
    withSequenceId: (sequenceId) => `{"sequenceId":${sequenceId},${tail}`,
  };
}

function wireData(data: unknown): string {
  if (data instanceof JsonText) return data.text;
  if (data instanceof Uint8Array) return JSON.stringify(bytesToBase64(data));
  if (data instanceof ArrayBuffer) return JSON.stringify(bytesToBase64(new Uint8Array(data)));
  return stringify(data);
}

function appendData(head: string, data: string): string {
  return head === "{}" ? `{"data":${data}}` : `${head.slice(0, -1)},"data":${data}}`;
}

function stringify(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw Object.assign(invalidArgument(`The frame cannot be encoded as JSON: ${err instanceof Error ? err.message : String(err)}`), {
      cause: err,
    });
  }
  if (text === undefined) throw invalidArgument("The frame cannot be encoded as JSON: no JSON value");
  return text;
}
