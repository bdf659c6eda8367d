// Every TypeScript example in README.md compiles against the real package sources, so the
// docs cannot drift from the API. Each block becomes a module; its body runs inside an async
// function, with the free names the prose assumes (client, id, key…) declared up front.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describeDiagnostic, repoRoot, tsOptions, typecheck } from "../emitter/support.js";

const PACKAGE_NAMES = ["WebPubSubServiceClient", "AzureKeyCredential", "odata", "ServiceError", "isWebPubSubError"];

/** The ```ts blocks of a markdown text, in order. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** Turns one README block into a module that type-checks in test/docs/. */
export function toModule(block: string): string {
  const lines = block.split("\n");
  const imports = lines.filter((l) => /^import /.test(l)).map((l) =>
    l
      .replace(/"webpubsub-service\/emulator"/, '"../../src/emulator/index.js"')
      .replace(/"webpubsub-service\/handler"/, '"../../src/handler/index.js"')
      .replace(/"webpubsub-service\/client"/, '"../../src/client/index.js"').replace(/"webpubsub-service"/, '"../../src/index.js"'),
  );
  const imported = new Set(imports.flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1]?.split(",").map((n) => n.trim()) ?? []));
  const fromPackage = PACKAGE_NAMES.filter((n) => !imported.has(n));
  const body = lines.filter((l) => !/^import /.test(l)).join("\n");
  return [
    ...imports,
    `import { ${fromPackage.join(", ")} } from "../../src/index.js";`,
    'import type { AccessToken, TokenCredential } from "@azure/core-auth";',
    "declare const client: WebPubSubServiceClient;",
    "declare const id: string, adminId: string, key: string, endpoint: string, connectionString: string;",
    "declare function save(token: string | undefined): void;",
    "declare class DefaultAzureCredential implements TokenCredential { getToken(scopes: string | string[]): Promise<AccessToken | null>; }",
    "export async function snippet(): Promise<void> {",
    body,
    "}",
  ].join("\n");
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

  it("type-check against the sources", () => {
    assert.deepEqual(check(blocks), []);
  });

  it("would catch an example that misuses the API", () => {
    const diagnostics = check(['await client.sendToAll("x", { messageTtlSeconds: "30" });']);
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0]!, /TS2322/);
  });
});
