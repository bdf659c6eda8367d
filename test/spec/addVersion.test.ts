// Acceptance test of issue 9: a new API version that changes nothing is one enum member in
// spec/ plus `npm run generate`. In a temporary copy of the repository it adds the member,
// regenerates, and runs the type check and every version-sensitive suite; nothing else is edited.
// The official swagger for the new version is "put beside the others": a copy of the newest
// one, in a temporary copy of the reference folder.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { routeTable } from "../../generated/routeTable.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const referenceDir = path.resolve(process.env["WPS_REFERENCE_OPENAPI"] ?? path.join(repoRoot, "../shared/reference/openapi"));

/** A version after every existing one: next year's January 1st. */
const newest = routeTable.versions.at(-1)!;
const NEW_VERSION = `${Number(newest.slice(0, 4)) + 1}-01-01`;

/** The suites that know about API versions: spec, emitter output, server, recordings, emulator REST, official-SDK interop. */
const SUITES = [
  "test/spec/conformance.test.ts",
  "test/emitter/golden.test.ts",
  "test/emitter/webpubsubRequests.test.ts",
  ...["apiVersion", "clientToken", "operations", "paging", "policies", "recordings", "sendLane", "serviceClient", "wireCompat"].map((f) => `test/server/${f}.test.ts`),
  "test/emulator/rest.test.ts",
  "test/emulator/restAuth.test.ts",
  "test/emulator/restVersions.test.ts",
  "test/emulator/interop.test.ts",
  "test/boundaries.test.ts",
];

/** What is copied: everything but installs, builds, git and scratch folders. */
const SKIP = new Set(["node_modules", ".git", ".tmp", "dist"]);

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 600_000 });
}

function output(r: SpawnSyncReturns<string>): string {
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.slice(-6000);
}

describe("adding an API version that changes nothing (issue 9 acceptance)", function () {
  this.timeout(900_000);
  let tmp: string;
  let repo: string;

  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), "wps-add-version-"));
    repo = path.join(tmp, "repo");
    cpSync(repoRoot, repo, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) || path.dirname(src) !== repoRoot });
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(repo, "node_modules"), "dir");
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it(`adds ${NEW_VERSION} with one enum member and npm run generate; it becomes the default, the emulator serves it, and the version-sensitive suites pass unedited`, () => {
    // 1. The one spec edit: a member at the end of `enum Versions`.
    const mainTsp = path.join(repo, "spec/main.tsp");
    const spec = readFileSync(mainTsp, "utf8");
    const edited = spec.replace(/(enum Versions \{[\s\S]*?)(\n\}\n)/, `$1\n\n  /** Changes nothing. */\n  v${NEW_VERSION.replace(/-/g, "_")}: "${NEW_VERSION}",$2`);
    assert.notEqual(edited, spec, "found enum Versions in spec/main.tsp");
    writeFileSync(mainTsp, edited);

    // 2. npm run generate.
    const generate = run(repo, ["scripts/generate.mjs"]);
    assert.equal(generate.status, 0, output(generate));
    assert.match(readFileSync(path.join(repo, "generated/apiVersions.ts"), "utf8"), new RegExp(`defaultApiVersion: ApiVersion = "${NEW_VERSION}"`));
    assert.ok(existsSync(path.join(repo, `spec/openapi/webpubsub.${NEW_VERSION}.json`)));

    // The official swagger beside the others (outside the repository, as the reference data is).
    const reference = path.join(tmp, "reference");
    if (existsSync(referenceDir)) {
      cpSync(referenceDir, reference, { recursive: true });
      mkdirSync(path.join(reference, NEW_VERSION));
      const swagger = JSON.parse(readFileSync(path.join(referenceDir, newest, "webpubsub.json"), "utf8")) as { info: { version: string } };
      swagger.info.version = NEW_VERSION;
      writeFileSync(path.join(reference, NEW_VERSION, "webpubsub.json"), JSON.stringify(swagger, null, 2));
    }

    // 3. The new default reaches the client and the emulator accepts it, end to end.
    const probe = run(repo, ["--import", "tsx", "--input-type=module", "-e", `
      const { WebPubSubServiceClient, DEFAULT_API_VERSION } = await import("./src/index.ts");
      const { startEmulator } = await import("./src/emulator/index.ts");
      const emulator = await startEmulator({ port: 0 });
      const client = new WebPubSubServiceClient(emulator.connectionString, "chat");
      try {
        await client.sendToAll("hi");
        const listed = [];
        for await (const m of client.listConnectionsInGroup("room")) listed.push(m);
        console.log(JSON.stringify({ defaultVersion: DEFAULT_API_VERSION, clientVersion: client.apiVersion, listed: listed.length }));
      } finally {
        await client.close();
        await emulator.close();
      }
    `]);
    assert.equal(probe.status, 0, output(probe));
    assert.deepEqual(JSON.parse(probe.stdout.trim().split("\n").at(-1)!), { defaultVersion: NEW_VERSION, clientVersion: NEW_VERSION, listed: 0 });

    // 4. Type check and the suites, in the copy, with no other edit.
    const typecheck = run(repo, [path.join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--noEmit"]);
    assert.equal(typecheck.status, 0, output(typecheck));
    const mocha = run(repo, [path.join(repo, "node_modules/mocha/bin/mocha.js"), "--reporter", "dot", ...SUITES], { WPS_REFERENCE_OPENAPI: reference });
    assert.equal(mocha.status, 0, output(mocha));
    assert.match(mocha.stdout, /\d+ passing/);
    assert.doesNotMatch(mocha.stdout, /failing/);
  });
});
