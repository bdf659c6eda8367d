import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PACKAGE_VERSION } from "../../src/server/version.js";

describe("package version", () => {
  it("sends the version of package.json in User-Agent and spans", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    assert.equal(PACKAGE_VERSION, pkg.version);
  });
});
