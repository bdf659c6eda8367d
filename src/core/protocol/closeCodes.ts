// WebSocket close codes the Web PubSub protocols use, with what each means here
// (RFC 6455 section 7.4; docs/protocol.md#close-codes). One table, as ws keeps its error codes.

/** Close codes by name. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;

/** One of the named close codes. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** What a close code means for a Web PubSub client, and whether a reliable client may recover. */
export interface CloseCodeInfo {
  /** The name in {@link CloseCode}. */
  name: keyof typeof CloseCode;
  /** One sentence: when the service (or the network) produces it. */
  meaning: string;
}

/** Every named close code with its meaning. */
export const CLOSE_CODES: Readonly<Record<CloseCodeValue, CloseCodeInfo>> = {
  1000: { name: "Normal", meaning: "closed on purpose, e.g. by the REST API; the session is over" },
  1001: { name: "GoingAway", meaning: "the service is shutting down or restarting" },
  1002: { name: "ProtocolError", meaning: "the peer broke the protocol, e.g. acked a sequence id it was never sent" },
  1003: { name: "UnsupportedData", meaning: "a frame of the wrong kind, e.g. a binary frame on a JSON subprotocol" },
  1006: { name: "Abnormal", meaning: "the connection dropped without a close frame; a reliable client may recover" },
  1007: { name: "InvalidPayload", meaning: "a malformed message: not JSON, a bad field, or an unknown type without ackId" },
  1008: {
    name: "PolicyViolation",
    meaning: "refused by policy: recovery denied, too many unacked or queued messages, or no permission",
  },
  1009: { name: "MessageTooBig", meaning: "a frame above the 1 MiB message limit" },
  1011: { name: "InternalError", meaning: "the event handler failed or the service hit an unexpected error" },
};

/** A readable description of any close code, e.g. for logs: "1008 PolicyViolation: ...". */
export function describeCloseCode(code: number): string {
  const info = (CLOSE_CODES as Record<number, CloseCodeInfo | undefined>)[code];
  if (info) return `${code} ${info.name}: ${info.meaning}`;
  if (code >= 3000 && code <= 3999) return `${code}: registered for libraries and frameworks`;
  if (code >= 4000 && code <= 4999) return `${code}: application-defined`;
  return `${code}: not a close code this protocol uses`;
}
