import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const hooks = createRequire(import.meta.url)("./rootHooks.cjs") as { conformanceNotice(dir?: string): string | undefined };

describe("mocha root hooks", () => {
  it("print one notice naming where the swagger files go when the conformance suite cannot run", () => {
    const notice = hooks.conformanceNotice("/nonexistent/openapi");
    assert.match(notice ?? "", /^Note: the spec conformance suite .* is skipped: it needs the official swagger files at \/nonexistent\/openapi\/<api-version>\/webpubsub\.json\.$/);
    assert.equal(hooks.conformanceNotice(ROOT), undefined);
  });

  it("fail a run whose tests all pass but leave a server open, naming it", async function () {
    this.timeout(120_000);
    const run = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(process.execPath, [join(ROOT, "node_modules/mocha/bin/mocha.js"), "test/fixtures/mocha/leaks.fixture.ts"], { cwd: ROOT }, (_err, _stdout, stderr) =>
        done({ code: child.exitCode, stderr }),
      );
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Leak: the process is still running 45 s after the last test\. Open handles:\n {2}- Server listening on \{"address":"127\.0\.0\.1"/);
  });
});
