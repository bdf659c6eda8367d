// Every TypeScript example in README.md compiles exactly as pasted: each block becomes a
// module with nothing added (only the package specifiers point at the sources, as an install
// would at dist/). The "Groups, users and connections" example also runs against the emulator.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { startEmulator } from "../../src/emulator/index.js";
import { describeDiagnostic, repoRoot, tsOptions, typecheck } from "../emitter/support.js";

/** The ```ts blocks of a markdown text, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** One README block as a module two folders below the repository root: the text as pasted, package specifiers aimed at src/. */
export function toModule(block: string): string {
  return block
    .replace(/(["'])webpubsub-service\/([a-z]+)\1/g, '"../../src/$2/index.js"')
    .replace(/(["'])webpubsub-service\1/g, '"../../src/index.js"');
}

function check(blocks: string[]): string[] {
  const overrides = new Map(blocks.map((b, i) => [resolve(join(repoRoot, "test/docs", `__readme_${i + 1}.ts`)), toModule(b)]));
  return typecheck([...overrides.keys()], tsOptions("tsconfig.json"), overrides).map(describeDiagnostic);
}

describe("README examples", function () {
  this.timeout(120_000);
  const blocks = tsBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"));

  it("has an example block for each part of the client and the emulator", () => {
    assert.ok(blocks.length >= 10, `found ${blocks.length} ts blocks`);
    for (const op of ["sendToAll", "listConnectionsInGroup", "getClientAccessToken", "grantPermission", "startEmulator", "fromEnvironment"]) {
      assert.ok(blocks.some((b) => b.includes(op)), `no example uses ${op}`);
    }
  });

  it("type-check as pasted, each with its own imports", () => {
    assert.deepEqual(check(blocks), []);
  });

  it("would catch an example that misuses the API, or uses a name it neither imports nor declares", () => {
    const diagnostics = check([
      'import { WebPubSubServiceClient } from "webpubsub-service";\nconst client = new WebPubSubServiceClient("", "chat");\nawait client.sendToAll("x", { messageTtlSeconds: "30" });',
      'import { odata } from "webpubsub-service";\nawait client.sendToAll(odata`x`);',
    ]);
    assert.equal(diagnostics.length, 2, diagnostics.join("\n"));
    assert.match(diagnostics[0]!, /__readme_1\.ts:3: TS2322/);
    assert.match(diagnostics[1]!, /__readme_2\.ts:2: TS2304 Cannot find name 'client'/);
  });

  it('runs the "Groups, users and connections" example top to bottom against the emulator', async () => {
    const block = blocks.find((b) => b.includes("addUserToGroup") && b.includes("closeConnection"));
    assert.ok(block, "no Groups, users and connections example");
    // .tmp/ is git-ignored; two levels deep, so the module's relative specifiers resolve.
    const dir = join(repoRoot, ".tmp", "readme");
    const file = join(dir, `groups-${process.pid}.ts`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, toModule(block));
    const emu = await startEmulator({ port: 0 });
    const previous = process.env["AZURE_WEBPUBSUB_CONNECTION_STRING"];
    const log = console.log;
    const printed: unknown[][] = [];
    process.env["AZURE_WEBPUBSUB_CONNECTION_STRING"] = emu.connectionString;
    console.log = (...args: unknown[]) => void printed.push(args);
    try {
      await import(pathToFileURL(file).href);
    } finally {
      console.log = log;
      if (previous === undefined) delete process.env["AZURE_WEBPUBSUB_CONNECTION_STRING"];
      else process.env["AZURE_WEBPUBSUB_CONNECTION_STRING"] = previous;
      await emu.close();
      rmSync(file, { force: true });
    }
    // The listing found alice's connection in group "b".
    assert.equal(printed.length, 1);
    assert.equal(printed[0]![1], "alice");
  });
});
