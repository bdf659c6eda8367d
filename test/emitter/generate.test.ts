// scripts/generate.mjs as a command: replaces its targets only after a clean
// compile, reports TypeSpec errors, and is idempotent.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { petstoreDir, readTree, repoRoot, scratchDir } from "./support.js";

const script = join(repoRoot, "scripts/generate.mjs");

function generate(dir: string, ...extra: string[]): { status: number | null; output: string } {
  const args = ["--spec", join(dir, "main.tsp"), "--out", join(dir, "out"), "--openapi-out", join(dir, "openapi"), "--client-name", "PetStoreClient", ...extra];
  const r = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", cwd: repoRoot });
  assert.ok(!existsSync(join(repoRoot, ".tmp", `generate-${r.pid}`)), "its staging folder is removed");
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("scripts/generate.mjs", function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = scratchDir("generate-");
    copyFileSync(join(petstoreDir, "main.tsp"), join(dir, "main.tsp"));
    for (const target of ["out", "openapi"]) {
      mkdirSync(join(dir, target));
      writeFileSync(join(dir, target, "sentinel.txt"), "old\n");
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Only the spec and the two targets: no staging folder left behind. */
  function assertNoLeftovers(): void {
    assert.deepEqual(readdirSync(dir).sort(), ["main.tsp", "openapi", "out"]);
  }

  it("a TypeSpec error: exits non-zero, prints the diagnostic, leaves both targets untouched", () => {
    writeFileSync(join(dir, "main.tsp"), `${readFileSync(join(dir, "main.tsp"), "utf8")}\nmodel Broken { x: DoesNotExist; }\n`);
    const { status, output } = generate(dir);
    assert.notEqual(status, 0);
    assert.match(output, /main\.tsp:\d+:\d+ - error invalid-ref: Unknown identifier DoesNotExist/);
    for (const target of ["out", "openapi"]) assert.deepEqual([...readTree(join(dir, target)).keys()], ["sentinel.txt"]);
    assertNoLeftovers();
  });

  it("an emitter error (unknown api-version): exits non-zero, targets untouched", () => {
    const { status, output } = generate(dir, "--api-version", "1999-01-01");
    assert.notEqual(status, 0);
    assert.match(output, /unknown-api-version/);
    assert.deepEqual([...readTree(join(dir, "out")).keys()], ["sentinel.txt"]);
    assertNoLeftovers();
  });

  it("success: swaps in the RLC and one OpenAPI document per version; a second run changes nothing", () => {
    const first = generate(dir);
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, /updated.*updated/);
    const out = readTree(join(dir, "out"));
    const golden = readTree(join(petstoreDir, "golden/2025-01-01"));
    assert.deepEqual([...out.keys()].sort(), [...golden.keys()].sort(), "old files are gone, the golden set is there");
    // Same as the golden apart from the header's source location.
    for (const [name, text] of out) assert.equal(text.replace(/from \S+ — /, ""), golden.get(name)!.replace(/from \S+ — /, ""), name);
    assert.deepEqual([...readTree(join(dir, "openapi")).keys()], ["webpubsub.2024-01-01.json", "webpubsub.2025-01-01.json"]);
    const doc = readFileSync(join(dir, "openapi/webpubsub.2025-01-01.json"), "utf8");
    assert.ok(doc.endsWith("}\n") && doc.startsWith('{\n  "openapi"'), "2-space JSON with a trailing newline");
    assertNoLeftovers();

    const mtime = statSync(join(dir, "out/index.ts")).mtimeMs;
    const second = generate(dir);
    assert.equal(second.status, 0, second.output);
    assert.match(second.output, /out\/? unchanged.*openapi\/? unchanged/);
    assert.equal(statSync(join(dir, "out/index.ts")).mtimeMs, mtime, "unchanged output is not rewritten");
    assert.deepEqual(readTree(join(dir, "out")), out);
    assertNoLeftovers();
    assert.ok(!existsSync(join(dir, "out", "sentinel.txt")));
  });
});
