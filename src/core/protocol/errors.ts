// Decoding never throws: a bad frame becomes a ProtocolError that says how to close.

/** Why a frame was rejected; `reason` is a stable kebab-case id. */
export interface ProtocolError {
  /** Stable id, e.g. `invalid-json`, `invalid-group`, `unknown-type`. */
  reason: ProtocolErrorReason;
  /** A sentence safe to show the peer (it never quotes the frame). */
  message: string;
  /** The close code to use when the frame cannot be answered another way. */
  closeCode: number;
  /** The frame's `type`, when it was readable. */
  frameType?: string;
  /**
   * The frame's `ackId`, when it was readable. A request with an ackId can be refused with a
   * `BadRequest` ack instead of a close.
   */
  ackId?: number;
}

/** Every `reason` a decoder reports. */
export type ProtocolErrorReason =
  | "invalid-json"
  | "not-an-object"
  | "invalid-type"
  | "unknown-type"
  | "unsupported-type"
  | "invalid-ack-id"
  | "invalid-sequence-id"
  | "invalid-group"
  | "invalid-event"
  | "invalid-field"
  | "invalid-data-type"
  | "invalid-data";

/** The outcome of decoding: the frame, or why it was rejected. */
export type DecodeResult<T> = { ok: true; frame: T } | { ok: false; error: ProtocolError };

/** Builds a ProtocolError; most rejections close with 1007 (invalid payload). */
export function protocolError(
  reason: ProtocolErrorReason,
  message: string,
  // CloseCode.InvalidPayload, written as a number: reading the CloseCode table here kept the
  // whole table in the client's browser bundle.
  closeCode: number = 1007,
): ProtocolError {
  return { reason, message, closeCode };
}
