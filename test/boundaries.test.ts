import assert from "node:assert/strict";
// @ts-expect-error -- plain .mjs script without type declarations
import { findViolations } from "../scripts/check-boundaries.mjs";

describe("module boundaries", () => {
  it("has no import that crosses the layout's boundaries", () => {
    assert.deepEqual((findViolations as () => string[])(), []);
  });
});
