// The README's complete handler example runs as pasted against the embedded emulator: its
// imports are pointed at the sources, everything else is left as written.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

describe("README event handler example", () => {
  it("runs against the emulator: the client's event reaches the handler and the reply comes back", function () {
    this.timeout(60_000);
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((b) => b.includes("webpubsub-service/handler") && b.includes("startEmulator"));
    assert.ok(block, "README has a handler example that starts the emulator");
    const source = block
      .replace('"webpubsub-service/handler"', JSON.stringify(join(root, "src/handler/index.ts")))
      .replace('"webpubsub-service/emulator"', JSON.stringify(join(root, "src/emulator/index.ts")))
      .replace('"webpubsub-service/client"', JSON.stringify(join(root, "src/client/index.ts")))
      .replace('"webpubsub-service"', JSON.stringify(join(root, "src/index.ts")));
    const dir = mkdtempSync(join(tmpdir(), "readme-handler-"));
    try {
      const file = join(dir, "example.mts"); // ESM: the example uses top-level await
      writeFileSync(file, source);
      const run = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 50_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /\{ echo: \{ text: 'hi' \}, from: 'alice' \}/);
      assert.match(run.stdout, /^alice connected$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
