import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|mjs)$/.test(name)) yield path;
  }
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");
}

/** The code whose facts are in the "WebSocket client protocol" section. */
const WEBSOCKET_SIDE = ["src/core/protocol", "src/emulator/ws", "src/emulator/state"];

describe("docs/protocol.md", () => {
  const doc = readFileSync(join(ROOT, "docs/protocol.md"), "utf8");
  const anchors = new Set([...doc.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));

  it("has the WebSocket client protocol under its own top-level heading", () => {
    assert.ok(anchors.has("websocket-client-protocol"));
    assert.match(doc, /^## WebSocket client protocol$/m);
  });

  // TODO(#8): check all of src/ once the CloudEvents and REST sections are in this file.
  it("has a heading for every docs/protocol.md#anchor that the WebSocket side links to", () => {
    const missing: string[] = [];
    for (const top of WEBSOCKET_SIDE) {
      for (const file of sources(join(ROOT, top))) {
        for (const m of readFileSync(file, "utf8").matchAll(/docs\/protocol\.md#([a-z0-9-]+)/g)) {
          if (!anchors.has(m[1]!)) missing.push(`${relative(ROOT, file)}: #${m[1]}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it("leaves no citation of the old notes (§x.y or [emu]) in the WebSocket layer and the protocol core", () => {
    const stale: string[] = [];
    for (const dir of WEBSOCKET_SIDE) {
      for (const file of sources(join(ROOT, dir))) {
        if (/§\d|\[emu\]/.test(readFileSync(file, "utf8"))) stale.push(relative(ROOT, file));
      }
    }
    assert.deepEqual(stale, []);
  });
});
