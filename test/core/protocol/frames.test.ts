import assert from "node:assert/strict";
import {
  decodeClientFrame,
  decodeServiceFrame,
  readServiceFrame,
  encodeFrame,
  encodePlainFrame,
  JsonText,
  prepareMessageFrame,
  type ClientFrame,
  type ProtocolError,
  type ServiceFrame,
} from "../../../src/core/index.js";

function clientOk(text: string): ClientFrame {
  const r = decodeClientFrame(text);
  assert.ok(r.ok, `expected ok, got ${r.ok ? "" : JSON.stringify(r.error)}`);
  return r.frame;
}
function clientError(text: string): ProtocolError {
  const r = decodeClientFrame(text);
  assert.ok(!r.ok, `expected a rejection of ${text}`);
  return r.error;
}
// readServiceFrame (the client's decoder) must accept, normalise and refuse exactly as
// decodeServiceFrame does; every service case below checks both.
function serviceOk(text: string): ServiceFrame {
  const r = decodeServiceFrame(text);
  assert.ok(r.ok, `expected ok, got ${r.ok ? "" : JSON.stringify(r.error)}`);
  assert.deepEqual(readServiceFrame(text), r.frame, `readServiceFrame differs on ${text}`);
  return r.frame;
}
function serviceError(text: string): ProtocolError {
  const r = decodeServiceFrame(text);
  assert.ok(!r.ok, `expected a rejection of ${text}`);
  assert.equal(readServiceFrame(text), undefined, `readServiceFrame accepted ${text}`);
  return r.error;
}

const clientFrames: ClientFrame[] = [
  { type: "joinGroup", group: "g1", ackId: 1 },
  { type: "joinGroup", group: "g1" },
  { type: "leaveGroup", group: "room.a b", ackId: 0 },
  { type: "sendToGroup", group: "g", ackId: 3, noEcho: true, dataType: "json", data: { a: [1, "x", null] } },
  { type: "sendToGroup", group: "g", noEcho: false, ttlSeconds: 30, dataType: "text", data: "hi" },
  { type: "sendToGroup", group: "g", noEcho: false, dataType: "binary", data: "AQID" },
  { type: "event", event: "chat.message", ackId: 4, dataType: "text", data: "hello" },
  { type: "event", event: "e", dataType: "json", data: null },
  { type: "invoke", invocationId: "i1", target: "event", event: "calc", dataType: "json", data: { x: 1 } },
  { type: "sequenceAck", sequenceId: 5 },
  { type: "sequenceAck", sequenceId: 0 },
  { type: "ping" },
];

const serviceFrames: ServiceFrame[] = [
  { type: "ack", ackId: 1, success: true },
  { type: "ack", ackId: 2, success: false, error: { name: "Forbidden", message: "no" } },
  { type: "message", from: "server", dataType: "json", data: { a: 1 } },
  { type: "message", from: "server", dataType: "binary", data: "AAEC", sequenceId: 9 },
  { type: "message", from: "group", group: "g1", fromUserId: "u2", dataType: "text", data: "hi" },
  { type: "message", from: "group", group: "g1", fromUserId: null, dataType: "json", data: 3, sequenceId: 1 },
  { type: "system", event: "connected", connectionId: "c1", userId: "u1" },
  { type: "system", event: "connected", connectionId: "c1", userId: null, reconnectionToken: "tok" },
  { type: "system", event: "disconnected", message: "Closed by REST API." },
  { type: "pong" },
  { type: "invokeResponse", invocationId: "i1", success: true, dataType: "text", data: "r" },
  { type: "invokeResponse", invocationId: "i2", success: false, error: { name: "NotSupported", message: "x" } },
];

describe("protocol frames", () => {
  describe("round trip", () => {
    for (const frame of clientFrames) {
      it(`decodes an encoded client ${frame.type} frame back to itself (${JSON.stringify(frame)})`, () => {
        const text = encodeFrame(frame);
        assert.deepEqual(JSON.parse(text), frame);
        assert.deepEqual(clientOk(text), frame);
      });
    }
    for (const frame of serviceFrames) {
      it(`decodes an encoded service ${frame.type} frame back to itself (${JSON.stringify(frame)})`, () => {
        assert.deepEqual(serviceOk(encodeFrame(frame)), frame);
      });
    }
  });

  describe("encodeFrame", () => {
    it("base64-encodes bytes given as binary data", () => {
      const text = encodeFrame({ type: "message", from: "server", dataType: "binary", data: new Uint8Array([0, 1, 2]) });
      assert.equal(JSON.parse(text).data, "AAEC");
    });

    it("embeds JsonText verbatim, keeping a number beyond 2^53 exact", () => {
      const data = JsonText.from(" {\"big\":12345678901234567890} ")!;
      const text = encodeFrame({ type: "message", from: "server", dataType: "json", data });
      assert.equal(text, '{"type":"message","from":"server","dataType":"json","data":{"big":12345678901234567890}}');
    });

    it("throws WPS_ERR_INVALID_ARGUMENT for data JSON cannot encode", () => {
      const cyclic: Record<string, unknown> = {};
      cyclic["self"] = cyclic;
      assert.throws(() => encodeFrame({ type: "event", event: "e", dataType: "json", data: cyclic }), {
        name: "TypeError",
        code: "WPS_ERR_INVALID_ARGUMENT",
      });
      assert.throws(() => encodeFrame({ type: "event", event: "e", dataType: "json", data: 1n }), { code: "WPS_ERR_INVALID_ARGUMENT" });
    });

    it("encodePlainFrame writes the same text as encodeFrame for string and JsonText data", () => {
      for (const frame of clientFrames) {
        // The client hands encodePlainFrame JSON data as JsonText (what encodeData returns).
        const f = frame as ClientFrame & { dataType?: string; data?: unknown };
        const plain = f.dataType === "json" ? { ...f, data: JsonText.from(JSON.stringify(f.data))! } : frame;
        assert.equal(encodePlainFrame(plain as ClientFrame), encodeFrame(frame), JSON.stringify(frame));
      }
      assert.equal(
        encodePlainFrame({ type: "event", event: "e", dataType: "json", data: JsonText.from("[1,2]")! }),
        '{"type":"event","event":"e","dataType":"json","data":[1,2]}',
      );
    });

    it("prepares a message frame once and numbers it per reliable connection", () => {
      const prepared = prepareMessageFrame({ type: "message", from: "group", group: "g", fromUserId: "u", dataType: "text", data: "x", sequenceId: 99 });
      assert.deepEqual(serviceOk(prepared.text), { type: "message", from: "group", group: "g", fromUserId: "u", dataType: "text", data: "x" });
      assert.deepEqual(serviceOk(prepared.withSequenceId(7)), {
        type: "message", from: "group", group: "g", fromUserId: "u", dataType: "text", data: "x", sequenceId: 7,
      });
    });
  });

  describe("decodeClientFrame rejects malformed input", () => {
    const cases: [string, string, string, number?][] = [
      ["not JSON", "{type:", "invalid-json"],
      ["an empty string", "", "invalid-json"],
      ["a JSON array", "[1]", "not-an-object"],
      ["JSON null", "null", "not-an-object"],
      ["a number", "42", "not-an-object"],
      ["a missing type", '{"group":"g"}', "invalid-type"],
      ["a numeric type", '{"type":1}', "invalid-type"],
      ["a negative ackId", '{"type":"joinGroup","group":"g","ackId":-1}', "invalid-ack-id"],
      ["a fractional ackId", '{"type":"joinGroup","group":"g","ackId":1.5}', "invalid-ack-id"],
      ["a string ackId", '{"type":"ping","ackId":"1"}', "invalid-ack-id"],
      ["an ackId beyond 2^53", '{"type":"joinGroup","group":"g","ackId":9007199254740993}', "invalid-ack-id"],
      ["a sequenceAck without id", '{"type":"sequenceAck"}', "invalid-sequence-id"],
      ["a negative sequenceId", '{"type":"sequenceAck","sequenceId":-2}', "invalid-sequence-id"],
      ["a joinGroup without group", '{"type":"joinGroup"}', "invalid-group"],
      ["a whitespace group", '{"type":"leaveGroup","group":"  "}', "invalid-group"],
      ["a 1025-character group", JSON.stringify({ type: "joinGroup", group: "g".repeat(1025) }), "invalid-group"],
      ["a numeric group", '{"type":"sendToGroup","group":5,"data":1}', "invalid-group"],
      ["a string noEcho", '{"type":"sendToGroup","group":"g","noEcho":"yes","data":1}', "invalid-field"],
      ["a ttlSeconds over 300", '{"type":"sendToGroup","group":"g","ttlSeconds":301,"data":1}', "invalid-field"],
      ["an unknown dataType", '{"type":"sendToGroup","group":"g","dataType":"xml","data":"<a/>"}', "invalid-data-type"],
      ["json data missing", '{"type":"sendToGroup","group":"g","dataType":"json"}', "invalid-data"],
      ["text data that is not a string", '{"type":"event","event":"e","dataType":"text","data":1}', "invalid-data"],
      ["binary data that is not base64", '{"type":"event","event":"e","dataType":"binary","data":"@@@@"}', "invalid-data"],
      ["binary data without padding", '{"type":"event","event":"e","dataType":"binary","data":"AQI"}', "invalid-data"],
      ["json data too deep to re-encode", `{"type":"event","event":"e","data":${"[".repeat(20000)}${"]".repeat(20000)}}`, "invalid-data"],
      ["an event name with a space", '{"type":"event","event":"a b","data":1}', "invalid-event"],
      ["an event name starting with a digit", '{"type":"event","event":"1a","data":1}', "invalid-event"],
      ["an invoke without invocationId", '{"type":"invoke","event":"e"}', "invalid-field"],
      ["an invoke of another target", '{"type":"invoke","invocationId":"i","target":"group","event":"e"}', "invalid-field"],
      ["an unknown type", '{"type":"fly"}', "unknown-type"],
      ["a newer type this core does not model", '{"type":"streamData","ackId":3}', "unsupported-type"],
    ];
    for (const [what, text, reason] of cases) {
      it(`rejects ${what} as ${reason} with close code 1007`, () => {
        const error = clientError(text);
        assert.equal(error.reason, reason);
        assert.equal(error.closeCode, 1007);
        assert.ok(error.message.length > 0);
      });
    }

    it("keeps the frame type and ackId of a readable request so it can be answered with an ack", () => {
      const error = clientError('{"type":"joinGroup","group":"","ackId":12}');
      assert.equal(error.frameType, "joinGroup");
      assert.equal(error.ackId, 12);
    });

    it("carries no ackId when the ackId itself is bad, nor for sequenceAck", () => {
      assert.equal(clientError('{"type":"joinGroup","group":"g","ackId":-1}').ackId, undefined);
      assert.equal(clientError('{"type":"sequenceAck","sequenceId":"x","ackId":3}').ackId, undefined);
    });

    it("defaults dataType to json and noEcho to false, and drops unknown fields", () => {
      assert.deepEqual(clientOk('{"type":"sendToGroup","group":"g","data":{"a":1},"metadata":{"k":"v"},"ackId":null}'), {
        type: "sendToGroup", group: "g", noEcho: false, dataType: "json", data: { a: 1 },
      });
    });

    it("accepts an invoke without payload, as the official client sends it", () => {
      assert.deepEqual(clientOk('{"type":"invoke","invocationId":"i","target":"event","event":"e"}'), {
        type: "invoke", invocationId: "i", target: "event", event: "e", dataType: "json", data: undefined,
      });
    });

    it("accepts json nested as deep as a 4,000-character frame allows, and it still encodes", () => {
      const data = `${"[".repeat(1990)}${"]".repeat(1990)}`;
      const frame = clientOk(`{"type":"sendToGroup","group":"g","data":${data}}`);
      assert.equal(encodeFrame(frame).length > 3980, true);
      assert.equal(clientError(`{"type":"sendToGroup","group":"g","ackId":1,"data":${"[".repeat(200_000)}${"]".repeat(200_000)}}`).reason, "invalid-data");
    });

    it("never throws, whatever the input", () => {
      const inputs = ["\u0000", "{", '{"type":"joinGroup","group":{"toString":1}}', '{"__proto__":{"type":"ping"}}', "1e999", '"x"'];
      for (const text of inputs) assert.equal(typeof decodeClientFrame(text).ok, "boolean");
      assert.equal(decodeClientFrame(undefined as unknown as string).ok, false);
    });
  });

  describe("decodeServiceFrame rejects malformed input", () => {
    const cases: [string, string, string][] = [
      ["not JSON", "}", "invalid-json"],
      ["a JSON string", '"ack"', "not-an-object"],
      ["an ack without ackId", '{"type":"ack","success":true}', "invalid-ack-id"],
      ["an ack without success", '{"type":"ack","ackId":1}', "invalid-field"],
      ["an ack with a string error", '{"type":"ack","ackId":1,"success":false,"error":"no"}', "invalid-field"],
      ["a message with a bad sequenceId", '{"type":"message","from":"server","dataType":"text","data":"x","sequenceId":-1}', "invalid-sequence-id"],
      ["a message without dataType", '{"type":"message","from":"server","data":"x"}', "invalid-data-type"],
      ["a binary message that is not base64", '{"type":"message","from":"server","dataType":"binary","data":"%%"}', "invalid-data"],
      ["a group message without group", '{"type":"message","from":"group","dataType":"text","data":"x"}', "invalid-group"],
      ["a group message with a numeric fromUserId", '{"type":"message","from":"group","group":"g","fromUserId":1,"dataType":"text","data":"x"}', "invalid-field"],
      ["connected without connectionId", '{"type":"system","event":"connected"}', "invalid-field"],
      ["connected with a numeric userId", '{"type":"system","event":"connected","connectionId":"c","userId":5}', "invalid-field"],
      ["disconnected with a numeric message", '{"type":"system","event":"disconnected","message":5}', "invalid-field"],
      ["an invokeResponse without invocationId", '{"type":"invokeResponse","success":true}', "invalid-field"],
    ];
    for (const [what, text, reason] of cases) {
      it(`rejects ${what} as ${reason}`, () => assert.equal(serviceError(text).reason, reason));
    }

    it("reports types, system events and sources it does not know as unknown-type, to be ignored", () => {
      assert.equal(serviceError('{"type":"groupStateUpdate"}').reason, "unknown-type");
      assert.equal(serviceError('{"type":"system","event":"reconnecting"}').reason, "unknown-type");
      assert.equal(serviceError('{"type":"message","from":"stream","dataType":"text","data":"x"}').reason, "unknown-type");
    });

    it("does not take a source, event or type for one of another kind", () => {
      for (const text of [
        '{"type":"message","from":"ack","ackId":1,"success":true}',
        '{"type":"system","event":"group","group":"g","dataType":"text","data":"x"}',
        '{"type":"group","group":"g","dataType":"text","data":"x"}',
        '{"type":"connected","connectionId":"c"}',
        '{"type":"message","from":"pong","dataType":"text","data":"x"}',
      ]) {
        assert.equal(serviceError(text).reason, "unknown-type", text);
      }
    });

    it("reads a positive ack as the service writes it without JSON.parse, and agrees with the full decoder on every near miss", () => {
      const parse = JSON.parse;
      let parsed = 0;
      JSON.parse = ((text: string, reviver?: (k: string, v: unknown) => unknown) => (parsed++, parse(text, reviver))) as typeof JSON.parse;
      try {
        assert.deepEqual(readServiceFrame('{"type":"ack","ackId":42,"success":true}'), { type: "ack", ackId: 42, success: true });
        assert.equal(parsed, 0);
      } finally {
        JSON.parse = parse;
      }
      assert.deepEqual(serviceOk('{"type":"ack","ackId":0,"success":true}'), { type: "ack", ackId: 0, success: true });
      assert.deepEqual(serviceOk('{"type":"ack","ackId":9007199254740991,"success":true}'), { type: "ack", ackId: 9007199254740991, success: true });
      // Near misses go to JSON.parse, so they come out exactly as the full decoder has them.
      assert.deepEqual(serviceOk('{"type":"ack","ackId":1e3,"success":true}'), { type: "ack", ackId: 1000, success: true });
      assert.deepEqual(serviceOk('{"type":"ack","ackId": 7,"success":true}'), { type: "ack", ackId: 7, success: true });
      assert.deepEqual(serviceOk('{"type":"ack","ackId":3,"success":false,"success":true}'), { type: "ack", ackId: 3, success: true });
      for (const digits of ["", "007", "-1", "1.5", "9007199254740993", '"1"', "0x1", "1,2"]) {
        serviceError(`{"type":"ack","ackId":${digits},"success":true}`);
      }
    });

    it("reports names of Object's own properties as unknown-type instead of throwing", () => {
      for (const text of [
        '{"type":"constructor"}',
        '{"type":"toString"}',
        '{"type":"__proto__"}',
        '{"type":"message","from":"constructor","dataType":"text","data":"x"}',
        '{"type":"system","event":"hasOwnProperty"}',
      ]) {
        assert.equal(serviceError(text).reason, "unknown-type", text);
      }
    });

    it("drops a null error or reconnectionToken, as if absent", () => {
      assert.deepEqual(serviceOk('{"type":"ack","ackId":1,"success":true,"error":null}'), { type: "ack", ackId: 1, success: true });
      assert.deepEqual(serviceOk('{"type":"system","event":"connected","connectionId":"c","reconnectionToken":null}'), {
        type: "system", event: "connected", connectionId: "c",
      });
    });

    it("accepts a disconnected frame without message as an empty message", () => {
      assert.deepEqual(serviceOk('{"type":"system","event":"disconnected"}'), { type: "system", event: "disconnected", message: "" });
    });
  });
});
