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

/** Every folder whose comments cite wire facts. */
const CODE = ["src", "bench", "scripts", "samples"];

/** `§x.y` of the old notes; sections of RFCs and the MQTT specs are cited by their own name. */
const OLD_CITATION = /(?<!(?:RFC \d+|MQTT [\d.]+|and) )§\d|\[emu\]/;

describe("docs/protocol.md", () => {
  const doc = readFileSync(join(ROOT, "docs/protocol.md"), "utf8");
  const anchors = new Set([...doc.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));

  it("has the WebSocket client protocol under its own top-level heading", () => {
    assert.ok(anchors.has("websocket-client-protocol"));
    assert.match(doc, /^## WebSocket client protocol$/m);
  });

  it("has its REST and CloudEvents sections too", () => {
    assert.ok(anchors.has("rest-and-tokens") && anchors.has("upstream-cloudevents"));
  });

  it("has a heading for every docs/protocol.md#anchor that the code links to", () => {
    const missing: string[] = [];
    for (const top of CODE) {
      for (const file of sources(join(ROOT, top))) {
        for (const m of readFileSync(file, "utf8").matchAll(/docs\/protocol\.md#([a-z0-9-]+)/g)) {
          if (!anchors.has(m[1]!)) missing.push(`${relative(ROOT, file)}: #${m[1]}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it("leaves no citation of the old notes (§x.y or [emu]) in the code", () => {
    const stale: string[] = [];
    for (const dir of CODE) {
      for (const file of sources(join(ROOT, dir))) {
        if (OLD_CITATION.test(readFileSync(file, "utf8"))) stale.push(relative(ROOT, file));
      }
    }
    assert.deepEqual(stale, []);
  });
});
