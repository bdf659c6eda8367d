import assert from "node:assert/strict";
import { resolve } from "node:path";
// @ts-expect-error -- plain .mjs script without type declarations
import { findViolations as find } from "../scripts/check-boundaries.mjs";

const findViolations = find as (root?: string) => string[];

describe("module boundaries", () => {
  it("has no import that crosses the layout's boundaries", () => {
    assert.deepEqual(findViolations(), []);
  });

  it("reports every deliberate violation in test/fixtures/boundaries, and nothing that only looks like one", () => {
    const found = findViolations(resolve("test/fixtures/boundaries"));
    assert.deepEqual(found.sort(), [
      "generated/usesSrc.ts: imports ../src/core/index.js (src/core)",
      "import cycle: src/emulator/a.ts -> src/emulator/b.ts -> src/emulator/a.ts",
      "src/client/usesEmulator.ts: imports ../emulator/index.js (src/emulator)",
      "src/core/badImport.ts: imports ../emulator/index.js (src/emulator)",
      "src/core/protocol/usesBuffer.ts: uses Buffer but must run in a browser",
      "src/core/protocol/usesNode.ts: imports node:crypto but must run in a browser",
      "src/core/rules.ts: imports node:fs but must run in a browser",
      "src/core/usesPackage.ts: imports package express",
      "src/emulator/usesGenerated.ts: imports ../../generated/models.js (generated)",
      "src/emulator/usesServer.ts: imports ../server/index.js (src/server)",
      "src/emulator/usesUndici.ts: imports package undici",
      'src/emulator/ws/deep.ts: imports "../state/hubState.js" instead of its index.js',
      "src/handler/handler.ts: imports node:http but must run in a browser",
    ]);
  });
});
