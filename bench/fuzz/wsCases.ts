// Malformed WebSocket traffic for every subprotocol: broken frames, broken JSON-protocol
// messages, floods, and broken handshakes.
import { closeFrame, frame } from "./rawWs.js";

/** The subprotocols the emulator speaks; null is a plain WebSocket. */
export const SUBPROTOCOLS = [null, "json.webpubsub.azure.v1", "json.reliable.webpubsub.azure.v1"] as const;

/** One WebSocket case. */
export interface WsCase {
  family: "frame" | "message" | "handshake";
  name: string;
  subprotocol: string | null;
  send: Buffer[];
  /** Replace the signed target (handshake cases). */
  target?: string;
  headers?: Record<string, string | null>;
  /**
   * "close": the emulator must end the session with a close frame (a protocol error it must
   * report); "refuse": the handshake must fail with a 4xx and a JSON body; "survive": any
   * outcome but a crash or a reset.
   */
  expect: "close" | "refuse" | "survive";
  /** The emulator must keep this connection open (no close frame at all). */
  keepOpen?: boolean;
}

const text = (s: string): Buffer => frame(0x1, s);

/** Every WebSocket case. `validTarget(sub)` gives a signed `/client/hubs/…?access_token=` target. */
export function wsCases(hub: string, validTarget: () => string): WsCase[] {
  const cases: WsCase[] = [];
  for (const subprotocol of SUBPROTOCOLS) {
    const json = subprotocol !== null;
    const add = (family: WsCase["family"], name: string, send: Buffer[], expect: WsCase["expect"]): void => {
      cases.push({ family, name: `${subprotocol ?? "plain"}: ${name}`, subprotocol, send, expect });
    };
    // Frame-level errors: every one is a protocol violation the server must close on (RFC 6455 §5).
    add("frame", "unmasked frame", [frame(0x1, "{}", { mask: false })], "close");
    add("frame", "RSV1 without an extension", [frame(0x1, "{}", { rsv: 4 })], "close");
    add("frame", "RSV2 and RSV3", [frame(0x1, "{}", { rsv: 3 })], "close");
    add("frame", "reserved data opcode 3", [frame(0x3, "x")], "close");
    add("frame", "reserved control opcode 11", [frame(0xb, "x")], "close");
    add("frame", "ping over 125 bytes", [frame(0x9, Buffer.alloc(126, 1))], "close");
    add("frame", "fragmented ping", [frame(0x9, "x", { fin: false })], "close");
    add("frame", "continuation without a start", [frame(0x0, "x")], "close");
    add("frame", "new message inside a fragmented one", [frame(0x1, "{", { fin: false }), frame(0x1, "}")], "close");
    add("frame", "text with invalid UTF-8", [frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))], "close");
    add("frame", "fragment boundary inside a UTF-8 sequence", [frame(0x1, Buffer.from([0x22, 0xc3]), { fin: false }), frame(0x0, Buffer.from([0x28, 0x22]))], "close");
    add("frame", "close with a 1-byte body", [frame(0x8, Buffer.from([3]))], "close");
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000]) add("frame", `close code ${code}`, [closeFrame(code)], "close");
    add("frame", "close reason with invalid UTF-8", [closeFrame(1000, Buffer.from([0xff, 0xfe]))], "close");
    add("frame", "64-bit length with the top bit set", [frame(0x1, "x", { declaredLength: 1n << 63n })], "close");
    add("frame", "declared length over 1 MiB", [frame(0x1, Buffer.alloc(16), { declaredLength: 2 * 1024 * 1024 })], "close");
    add("frame", "payload over 1 MiB", [frame(json ? 0x1 : 0x2, Buffer.alloc(1024 * 1024 + 1, 0x20))], "close");
    add("frame", "truncated header", [Buffer.from([0x81])], "survive");
    add("frame", "truncated payload", [frame(0x1, "{}").subarray(0, 5)], "survive");
    add("frame", "2,000 pings in one write", [Buffer.concat(Array.from({ length: 2_000 }, () => frame(0x9, "p")))], "survive");
    add("frame", "zero-length text", [frame(0x1, "")], json ? "close" : "survive");
    add("frame", "random bytes", [Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 73 + 41) & 0xff))], "close");
    add("frame", "clean close", [closeFrame(1000, "bye")], "close");
    if (!json) {
      add("message", "binary frame as a user event", [frame(0x2, Buffer.from([1, 2, 3]))], "survive");
      add("message", "text frame as a user event", [text("hello")], "survive");
      continue;
    }
    // JSON-protocol messages.
    add("message", "binary frame on a JSON protocol", [frame(0x2, "{}")], "close");
    for (const [name, body] of [
      ["not JSON", "{type:"],
      ["a JSON array", "[]"],
      ["a JSON string", '"joinGroup"'],
      ["JSON null", "null"],
      ["no type", "{}"],
      ["numeric type", '{"type":1}'],
      ["negative ackId", '{"type":"joinGroup","group":"g","ackId":-1}'],
      ["fractional ackId", '{"type":"joinGroup","group":"g","ackId":1.5}'],
      ["string ackId", '{"type":"joinGroup","group":"g","ackId":"1"}'],
      ["ackId over 2^53", '{"type":"joinGroup","group":"g","ackId":18446744073709551616}'],
      ["negative sequenceAck", '{"type":"sequenceAck","sequenceId":-5}'],
      ["fractional sequenceAck", '{"type":"sequenceAck","sequenceId":0.5}'],
      ["joinGroup with a number group, no ackId", '{"type":"joinGroup","group":5}'],
      ["deeply nested data", `{"type":"sendToGroup","group":"g","data":${"[".repeat(200_000)}${"]".repeat(200_000)}}`],
      ["UTF-8 BOM before the JSON", "\ufeff{\"type\":\"ping\"}"],
      ["duplicate keys", '{"type":"ping","type":"joinGroup"}'],
    ] as [string, string][]) {
      add("message", name, [text(body)], "close");
    }
    for (const [name, body] of [
      ["unknown type with ackId", '{"type":"nope","ackId":1}'],
      ["unsupported invoke", '{"type":"invoke","invocationId":"i1","target":"x"}'],
      ["joinGroup without group", '{"type":"joinGroup","ackId":1}'],
      ["group of spaces", '{"type":"joinGroup","group":"   ","ackId":1}'],
      ["group of 2,000 characters", `{"type":"joinGroup","group":"${"g".repeat(2_000)}","ackId":1}`],
      ["group as an object", '{"type":"joinGroup","group":{},"ackId":1}'],
      ["sendToGroup with dataType xml", '{"type":"sendToGroup","group":"g","dataType":"xml","data":"x","ackId":1}'],
      ["binary data not base64", '{"type":"sendToGroup","group":"g","dataType":"binary","data":"***","ackId":1}'],
      ["text data not a string", '{"type":"sendToGroup","group":"g","dataType":"text","data":{},"ackId":1}'],
      ["ttlSeconds out of range", '{"type":"sendToGroup","group":"g","data":1,"ttlSeconds":99999,"ackId":1}'],
      ["event with an invalid name", '{"type":"event","event":"Bad Name","data":1,"ackId":1}'],
      ["event without a handler", '{"type":"event","event":"nothing","data":1,"ackId":1}'],
      ["the same ackId twice", '{"type":"joinGroup","group":"g","ackId":7}'],
      ["sequenceAck 2^53-1 (beyond anything sent)", '{"type":"sequenceAck","sequenceId":9007199254740991}'],
      ["ping", '{"type":"ping"}'],
      ["__proto__ key in data", '{"type":"sendToGroup","group":"g","data":{"__proto__":{"polluted":1}},"ackId":3}'],
    ] as [string, string][]) {
      add("message", name, [text(body), ...(name === "the same ackId twice" ? [text(body)] : [])], "survive");
    }
    // Issue 13 item 2: many frames in one socket read must not cut the client off.
    add(
      "message",
      "1,500 joinGroup requests in one write",
      [Buffer.concat(Array.from({ length: 1_500 }, (_, i) => text(`{"type":"joinGroup","group":"burst","ackId":${i + 1}}`)))],
      "survive",
    );
    cases[cases.length - 1]!.keepOpen = true;
  }
  // Handshakes: refused before the upgrade, with a status and a JSON body.
  const signed = validTarget();
  const token = new URL(signed, "http://x").searchParams.get("access_token") ?? "";
  const handshake = (name: string, target: string, headers: Record<string, string | null> = {}): void => {
    cases.push({ family: "handshake", name, subprotocol: null, send: [], target, headers, expect: "refuse" });
  };
  handshake("no token", `/client/hubs/${hub}`);
  handshake("token for another hub", `/client/hubs/other?access_token=${token}`);
  handshake("garbage token", `/client/hubs/${hub}?access_token=a.b.c`);
  handshake("token signed with another key", `/client/hubs/${hub}?access_token=${token.slice(0, token.lastIndexOf(".") + 1)}AAAA`);
  handshake("invalid hub", `/client/hubs/1-bad?access_token=${token}`);
  handshake("unknown client path", `/client/nowhere?access_token=${token}`);
  handshake("webpubsub_mode invalid", `${signed}&webpubsub_mode=nope`);
  // A refused recovery is upgraded, then closed with 1008 (docs/protocol.md#recovery).
  cases.push({
    family: "handshake",
    name: "recovery of an unknown connection",
    subprotocol: "json.reliable.webpubsub.azure.v1",
    send: [],
    target: `/client/hubs/${hub}?awps_connection_id=nope&awps_reconnection_token=x`,
    expect: "close",
  });
  handshake("WebSocket version 12", signed, { "Sec-WebSocket-Version": "12" });
  handshake("no Sec-WebSocket-Key", signed, { "Sec-WebSocket-Key": null });
  handshake("short Sec-WebSocket-Key", signed, { "Sec-WebSocket-Key": "abc" });
  handshake("Upgrade: h2c", signed, { Upgrade: "h2c" });
  handshake("POST-style upgrade on the REST API", `/api/hubs/${hub}/:send`);
  return cases;
}
