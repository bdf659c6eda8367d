import assert from "node:assert/strict";
import { CLOSE_CODES, CloseCode, describeCloseCode } from "../../../src/core/index.js";

describe("protocol close codes", () => {
  it("has the RFC 6455 values the protocol uses", () => {
    assert.deepEqual(CloseCode, {
      Normal: 1000,
      GoingAway: 1001,
      ProtocolError: 1002,
      UnsupportedData: 1003,
      Abnormal: 1006,
      InvalidPayload: 1007,
      PolicyViolation: 1008,
      MessageTooBig: 1009,
      InternalError: 1011,
    });
  });

  it("tables a meaning for every named code, under its own name", () => {
    for (const [name, code] of Object.entries(CloseCode)) {
      assert.equal(CLOSE_CODES[code].name, name);
      assert.ok(CLOSE_CODES[code].meaning.length > 10);
    }
    assert.equal(Object.keys(CLOSE_CODES).length, Object.keys(CloseCode).length);
  });

  it("describes known, library, application and unknown codes", () => {
    assert.match(describeCloseCode(1008), /^1008 PolicyViolation: .*recovery denied/);
    assert.match(describeCloseCode(1001), /^1001 GoingAway: /);
    assert.equal(describeCloseCode(3001), "3001: registered for libraries and frameworks");
    assert.equal(describeCloseCode(4321), "4321: application-defined");
    assert.equal(describeCloseCode(1234), "1234: not a close code this protocol uses");
  });
});
