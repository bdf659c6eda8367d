import assert from "node:assert/strict";
import { odata } from "../../src/index.js";

describe("odata", () => {
  it("quotes strings and doubles embedded quotes", () => {
    assert.equal(odata`userId eq ${"vic's"}`, "userId eq 'vic''s'");
  });

  it("writes null and undefined as null", () => {
    assert.equal(odata`userId eq ${null} or userId eq ${undefined}`, "userId eq null or userId eq null");
  });

  it("writes numbers, bigints and booleans raw", () => {
    assert.equal(odata`a eq ${1.5} and b eq ${10n} and c eq ${true}`, "a eq 1.5 and b eq 10 and c eq true");
  });

  it("turns arrays into quoted lists for in", () => {
    assert.equal(odata`userId in ${["a", "b'c"]}`, "userId in ('a','b''c')");
  });

  it("builds a group membership filter", () => {
    assert.equal(odata`${"room 1"} in groups and not(connectionId eq ${"c1"})`, "'room 1' in groups and not(connectionId eq 'c1')");
  });

  it("rejects objects, symbols, NaN, empty and nested lists", () => {
    for (const bad of [{}, Symbol("s"), Number.NaN, [], [["a"]], new Date()]) {
      assert.throws(() => odata`x eq ${bad}`, { name: "TypeError", code: "WPS_ERR_INVALID_ARGUMENT" });
    }
  });
});
