import assert from "node:assert/strict";
import { base64ToBytes, bytesToBase64, decodeData, encodeData, JsonText } from "../../../src/core/index.js";

describe("protocol data", () => {
  it("round-trips text, json and binary through encodeData and decodeData", () => {
    assert.deepEqual(decodeData("text", encodeData("héllo", "text")), { ok: true, frame: "héllo" });
    assert.deepEqual(decodeData("json", encodeData({ a: [1, null] }, "json")), { ok: true, frame: { a: [1, null] } });
    const bytes = new Uint8Array([0, 255, 1, 128]);
    const wire = encodeData(bytes, "binary");
    assert.equal(wire, "AP8BgA==");
    assert.deepEqual(decodeData("binary", wire), { ok: true, frame: bytes });
  });

  it("encodes an ArrayBuffer and a typed-array view as base64 of exactly their bytes", () => {
    const buf = new Uint8Array([9, 8, 7, 6]);
    assert.equal(encodeData(buf.buffer, "binary"), "CQgHBg==");
    assert.equal(encodeData(new Uint8Array(buf.buffer, 1, 2), "binary"), "CAc=");
    assert.equal(encodeData(new DataView(buf.buffer, 2), "binary"), "BwY=");
  });

  it("encodes a large payload (past the 32 KiB chunking) without loss", () => {
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) % 256);
    const wire = encodeData(big, "binary") as string;
    assert.equal(wire, Buffer.from(big).toString("base64"));
    assert.deepEqual(base64ToBytes(wire), big);
  });

  it("throws WPS_ERR_INVALID_ARGUMENT when content does not fit its dataType", () => {
    assert.throws(() => encodeData(5, "text"), { name: "TypeError", code: "WPS_ERR_INVALID_ARGUMENT", message: 'dataType "text" needs a string, got number' });
    assert.throws(() => encodeData("AQ==", "binary"), { code: "WPS_ERR_INVALID_ARGUMENT", message: 'dataType "binary" needs a Uint8Array or ArrayBuffer, got string' });
    assert.throws(() => encodeData(undefined, "json"), { code: "WPS_ERR_INVALID_ARGUMENT", message: 'dataType "json" needs a JSON value, got undefined' });
    assert.throws(() => encodeData(1n, "json"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /^dataType "json": .*BigInt/ });
    assert.throws(() => encodeData("x", "xml" as "text"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /^dataType must be "text", "json" or "binary", got xml$/ });
  });

  it("rejects wire data that does not fit its dataType, without throwing", () => {
    for (const [dataType, data] of [["text", 1], ["json", undefined], ["binary", "not base64!"], ["binary", 5]] as const) {
      const r = decodeData(dataType, data);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.reason, "invalid-data");
    }
    const r = decodeData("xml" as "text", "x");
    assert.equal(!r.ok && r.error.reason, "invalid-data-type");
  });

  it("parses JsonText back to its value and refuses text that is not JSON", () => {
    assert.deepEqual(decodeData("json", JsonText.from('{"a":1}')), { ok: true, frame: { a: 1 } });
    assert.equal(JsonText.from("{a:1}"), undefined);
    assert.equal(JsonText.from("  [1] \n")?.text, "[1]");
  });

  it("agrees with Node's base64 for every length 0-64", () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 73 + n) % 256);
      assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString("base64"));
    }
  });
});
