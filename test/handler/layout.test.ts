// The Fetch core must load where there is no Node: only the two adapters may name node:
// modules, and only for types, which vanish from the emitted JavaScript.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname, "../../src/handler");

describe("handler layout", () => {
  it("imports node: modules only as types, and only in node.ts and express.ts", () => {
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
        if (!/from\s+["']node:/.test(line) && !/import\(\s*["']node:/.test(line)) continue;
        const adapter = file === "node.ts" || file === "express.ts";
        if (!adapter || !/^import type /.test(line)) offenders.push(`${file}: ${line.trim()}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it("imports nothing of ours but src/core", () => {
    const offenders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      for (const m of readFileSync(join(dir, file), "utf8").matchAll(/from\s+["'](\.\.\/[^"']+)["']/g)) {
        if (m[1] !== "../core/index.js") offenders.push(`${file}: ${m[1]}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
