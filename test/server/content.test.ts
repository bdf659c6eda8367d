import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { encodeMessage } from "../../src/server/content.js";

const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

describe("encodeMessage", () => {
  it("sends a bare string as text/plain, unquoted", () => {
    assert.deepEqual(encodeMessage("hi", undefined), { contentType: "text/plain", body: "hi" });
  });

  it("sends objects, arrays, numbers, booleans and null as JSON bytes", () => {
    for (const [value, json] of [[{ a: 1 }, '{"a":1}'], [[1, "x"], '[1,"x"]'], [5, "5"], [false, "false"], [null, "null"]] as const) {
      const out = encodeMessage(value, undefined);
      assert.equal(out.contentType, "application/json");
      assert.ok(out.body instanceof Uint8Array, "bytes, so the runtime cannot stringify twice");
      assert.equal(text(out.body), json);
    }
  });

  it("sends Buffer and Uint8Array unchanged as application/octet-stream", () => {
    const buf = Buffer.from([1, 2, 3]);
    const out = encodeMessage(buf, undefined);
    assert.equal(out.contentType, "application/octet-stream");
    assert.equal(out.body, buf);
  });

  it("views an ArrayBuffer and a DataView slice as bytes", () => {
    const ab = new Uint8Array([9, 8, 7, 6]).buffer;
    assert.deepEqual([...(encodeMessage(ab, undefined).body as Uint8Array)], [9, 8, 7, 6]);
    assert.deepEqual([...(encodeMessage(new DataView(ab, 1, 2), undefined).body as Uint8Array)], [8, 7]);
  });

  it("passes a Blob and a Node Readable through as octet-stream", () => {
    const blob = new Blob(["x"]);
    assert.deepEqual(encodeMessage(blob, undefined), { contentType: "application/octet-stream", body: blob });
    const stream = Readable.from(["x"]);
    assert.deepEqual(encodeMessage(stream, undefined), { contentType: "application/octet-stream", body: stream });
  });

  it("sends a string as-is with application/json when it is valid JSON text", () => {
    const out = encodeMessage('{"a":1}', "application/json");
    assert.equal(out.contentType, "application/json");
    assert.equal(text(out.body), '{"a":1}');
  });

  it("rejects a string that is not JSON text with application/json, pointing at JSON.stringify", () => {
    assert.throws(() => encodeMessage("hello", "application/json"), { name: "TypeError", code: "WPS_ERR_INVALID_ARGUMENT", message: /needs valid JSON text.*pass JSON\.stringify\(message\)/ });
  });

  it("sends a JSON string value as @azure/web-pubsub sends a bare string, the way the README advises", () => {
    const out = encodeMessage(JSON.stringify("hello"), "application/json");
    assert.equal(out.contentType, "application/json");
    assert.equal(text(out.body), '"hello"');
  });

  it("stringifies a value with application/json, accepting and dropping a charset parameter", () => {
    const out = encodeMessage({ a: 1 }, "Application/JSON; charset=utf-8");
    assert.equal(out.contentType, "application/json");
    assert.equal(text(out.body), '{"a":1}');
  });

  it("requires a string for text/plain", () => {
    assert.throws(() => encodeMessage({ a: 1 }, "text/plain"), { name: "TypeError", message: /'text\/plain' needs a string message \(got Object\)/ });
  });

  it("requires binary for application/octet-stream", () => {
    assert.throws(() => encodeMessage("x", "application/octet-stream"), { name: "TypeError", message: /needs binary data/ });
  });

  it("rejects binary with application/json", () => {
    assert.throws(() => encodeMessage(new Uint8Array([1]), "application/json"), /not binary data/);
  });

  it("rejects other content types", () => {
    assert.throws(() => encodeMessage("x", "application/xml"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /'application\/xml' is not supported/ });
  });

  it("rejects empty strings, bytes and blobs", () => {
    for (const empty of ["", new Uint8Array(0), new ArrayBuffer(0), new Blob([])]) {
      assert.throws(() => encodeMessage(empty, undefined), { message: /must not be empty/ });
    }
  });

  it("rejects values JSON cannot represent", () => {
    assert.throws(() => encodeMessage(undefined, undefined), { message: /message of type undefined cannot be sent as JSON/ });
    assert.throws(() => encodeMessage(() => 1, undefined), { message: /type function/ });
  });

  it("rejects a BigInt, a cycle and a throwing toJSON with WPS_ERR_INVALID_ARGUMENT", () => {
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    const throwing = { toJSON: () => { throw new Error("nope"); } };
    for (const value of [1n, { n: 1n }, cycle, throwing]) {
      assert.throws(() => encodeMessage(value, undefined), { name: "TypeError", code: "WPS_ERR_INVALID_ARGUMENT", message: /^message cannot be encoded as JSON: / });
      assert.throws(() => encodeMessage(value, "application/json"), { code: "WPS_ERR_INVALID_ARGUMENT" });
    }
  });

  it("measures UTF-8 bytes, not characters, against the limit", () => {
    assert.throws(() => encodeMessage("é".repeat(6), undefined, 11), { name: "RangeError", message: /message is 12 bytes; the limit is 11 bytes/ });
    assert.equal(encodeMessage("é".repeat(6), undefined, 12).body, "éééééé");
  });

  it("measures JSON text in UTF-8 bytes against the limit too", () => {
    assert.throws(() => encodeMessage('"éééé"', "application/json", 9), { name: "RangeError", message: /message is 10 bytes; the limit is 9 bytes/ });
    assert.deepEqual(encodeMessage('"éééé"', "application/json", 10).body, new TextEncoder().encode('"éééé"'));
  });
});
