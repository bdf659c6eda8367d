// Golden tests: the emitter's output for the petstore fixture, per version,
// must equal the committed files. Refresh with UPDATE_GOLDENS=1.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emit, emitPetstore, petstoreDir, petstoreVersions, readTree, repoRoot } from "./support.js";

const update = process.env["UPDATE_GOLDENS"] === "1";

describe("emitter golden output (petstore fixture)", function () {
  this.timeout(60_000);
  const emitted = new Map<string, Map<string, string>>();

  before(async () => {
    for (const version of petstoreVersions) emitted.set(version, await emitPetstore(version));
  });

  for (const version of petstoreVersions) {
    it(`matches test/fixtures/petstore/golden/${version}/`, () => {
      const files = emitted.get(version)!;
      const dir = join(petstoreDir, "golden", version);
      if (update) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (const [name, text] of files) writeFileSync(join(dir, name), text);
      }
      const golden = readTree(dir);
      assert.deepEqual([...files.keys()].sort(), [...golden.keys()].sort(), "same file set");
      for (const [name, text] of files) assert.equal(text, golden.get(name), `${version}/${name} differs (UPDATE_GOLDENS=1 to accept)`);
    });
  }

  it("is deterministic: emitting again gives identical files", async () => {
    const again = await emitPetstore("2025-01-01");
    assert.deepEqual(again, emitted.get("2025-01-01"));
  });

  it("projects each version: types and operations absent in it are absent from the output", () => {
    const v1 = emitted.get("2024-01-01")!;
    const v2 = emitted.get("2025-01-01")!;
    // @added(v2) operation, enum member and property; @removed(v2) operation and model.
    assert.match(v2.get("clientDefinitions.ts")!, /delete\(\s*options\?: DeletePetParameters/);
    assert.doesNotMatch(v1.get("clientDefinitions.ts")!, /DeletePet/);
    assert.match(v1.get("clientDefinitions.ts")!, /\(path: "\/pets:search"\): SearchPets;/);
    assert.doesNotMatch(v2.get("clientDefinitions.ts")!, /SearchPets|pets:search/);
    assert.match(v2.get("models.ts")!, /export type PetKind = "dog" \| "cat" \| "bird";/);
    assert.match(v1.get("models.ts")!, /export type PetKind = "dog" \| "cat";/);
    assert.match(v2.get("models.ts")!, /nickname\?: string;/);
    assert.doesNotMatch(v1.get("models.ts")!, /nickname/);
    assert.match(v1.get("outputModels.ts")!, /export interface LegacySearchResultOutput/);
    assert.doesNotMatch(v2.get("outputModels.ts")!, /LegacySearchResult/);
    // Both list every version; each defaults to its own.
    for (const [files, version] of [[v1, "2024-01-01"], [v2, "2025-01-01"]] as const) {
      assert.match(files.get("apiVersions.ts")!, /apiVersions = \["2024-01-01", "2025-01-01"\] as const;/);
      assert.match(files.get("apiVersions.ts")!, new RegExp(`defaultApiVersion: ApiVersion = "${version}";`));
      assert.match(files.get("petStoreClient.ts")!, new RegExp(`apiVersion: options.apiVersion \\?\\? "${version}"`));
    }
  });

  it("emits a pure-data route table of every version, with the version that added or removed each operation and parameter", async () => {
    for (const version of petstoreVersions) {
      const text = emitted.get(version)!.get("routeTable.ts")!;
      assert.doesNotMatch(text, /^import /m, "no imports: pure data");
      // Same table whichever version the client is emitted for; only the default differs.
      assert.equal(text.replace(/defaultVersion: "[^"]+"/, ""), emitted.get("2025-01-01")!.get("routeTable.ts")!.replace(/defaultVersion: "[^"]+"/, ""));
      assert.match(text, new RegExp(`defaultVersion: "${version}"`));
    }
    const { routeTable } = (await import(pathToFileURL(join(petstoreDir, "golden/2025-01-01/routeTable.ts")).href)) as typeof import("../fixtures/petstore/golden/2025-01-01/routeTable.js");
    type Table = typeof import("../fixtures/petstore/golden/2025-01-01/routeTable.js");
    const operations: readonly import("../fixtures/petstore/golden/2025-01-01/routeTable.js").RouteTableOperation[] = (routeTable as Table["routeTable"]).operations;
    const op = (name: string) => operations.find((o) => o.name === name)!;
    assert.deepEqual(routeTable.versions, ["2024-01-01", "2025-01-01"]);
    assert.deepEqual([op("deletePet").method, op("deletePet").path, op("deletePet").added], ["DELETE", "/pets/{petId}", "2025-01-01"]);
    assert.deepEqual(op("searchPets"), { name: "searchPets", method: "GET", path: "/pets:search", removed: "2025-01-01", parameters: [{ name: "q", in: "query" }] });
    assert.ok(!("added" in op("getPet")) && !("removed" in op("getPet")), "present in every version: no marks");
    const params = op("listPets").parameters;
    assert.deepEqual(params.find((p) => p.name === "bornAfter"), { name: "bornAfter", in: "query", added: "2025-01-01" });
    assert.deepEqual(params.find((p) => p.name === "legacyOrder"), { name: "legacyOrder", in: "query", removed: "2025-01-01" });
    assert.ok(!params.some((p) => p.name === "api-version"), "the api-version parameter is the table's, not each operation's");
  });

  it("rejects an api-version the service does not define", async () => {
    await assert.rejects(
      emit(join(petstoreDir, "main.tsp"), { "api-version": "1999-01-01" }),
      /unknown-api-version.*1999-01-01.*2024-01-01, 2025-01-01/s,
    );
  });
});

describe("generated/ (Web PubSub)", function () {
  this.timeout(60_000);

  it("is what the emitter produces from spec/ today (run `npm run generate` after changing spec/)", async () => {
    const files = await emit(join(repoRoot, "spec/main.tsp"), { "client-name": "WebPubSubServiceClient" });
    const committed = readTree(join(repoRoot, "generated"));
    assert.deepEqual([...files.keys()].sort(), [...committed.keys()].sort());
    for (const [name, text] of files) assert.equal(committed.get(name), text, `generated/${name} is stale`);
  });

  it("follows the file conventions: header, .js relative imports, no src/ imports, no import.meta", () => {
    const trees = [readTree(join(repoRoot, "generated")), ...petstoreVersions.map((v) => readTree(join(petstoreDir, "golden", v)))];
    for (const files of trees) {
      for (const [name, text] of files) {
        assert.match(text, /^\/\/ Generated by scripts\/emitter from \S+ — do not edit\.\n/, `${name} header`);
        assert.doesNotMatch(text, /import\.meta/, name);
        for (const [, spec] of text.matchAll(/from "([^"]+)"/g)) {
          if (spec!.startsWith(".")) {
            assert.match(spec!, /^\.\/[\w]+\.js$/, `${name} imports ${spec}`);
          } else {
            assert.ok(["@azure-rest/core-client", "@azure/core-auth", "@azure/core-rest-pipeline"].includes(spec!), `${name} imports ${spec}`);
          }
        }
      }
    }
  });
});
