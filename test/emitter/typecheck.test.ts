// The generated code type-checks under the repo's strict settings (ESM and
// CommonJS), and the `@ts-expect-error` files prove that misuse fails to compile.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describeDiagnostic, petstoreDir, petstoreVersions, repoRoot, tsOptions, typecheck } from "./support.js";

const generatedRoots = [
  join(repoRoot, "generated/index.ts"),
  ...petstoreVersions.map((v) => join(petstoreDir, "golden", v, "index.ts")),
];
const typeTests = ["petstore", "webpubsub"].map((n) => join(repoRoot, `test/emitter/types/${n}.typecheck.ts`));

/** Lines (0-based) holding `@ts-expect-error TSxxxx`, with the expected code. */
function expectations(text: string): { line: number; code: number }[] {
  return text.split("\n").flatMap((l, line) => {
    const m = /\/\/ @ts-expect-error TS(\d+)/.exec(l);
    return m ? [{ line, code: Number(m[1]) }] : [];
  });
}

describe("generated code type-checks", function () {
  this.timeout(120_000);

  it("under tsconfig.json (NodeNext, strict, exactOptionalPropertyTypes, verbatimModuleSyntax)", () => {
    const diagnostics = typecheck([...generatedRoots, ...typeTests], tsOptions("tsconfig.json"));
    assert.deepEqual(diagnostics.map(describeDiagnostic), []);
  });

  it("under tsconfig.cjs.json (CommonJS)", () => {
    const diagnostics = typecheck(generatedRoots, tsOptions("tsconfig.cjs.json"));
    assert.deepEqual(diagnostics.map(describeDiagnostic), []);
  });

  it("the emitter and scripts/generate.mjs type-check as JavaScript (checkJs, strict JSDoc)", () => {
    const dir = join(repoRoot, "scripts/emitter");
    const roots = [join(repoRoot, "scripts/generate.mjs"), ...readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".mjs")).map((f) => join(dir, f))];
    const options: ts.CompilerOptions = {
      allowJs: true,
      checkJs: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ["node"],
    };
    assert.ok(roots.length >= 8);
    assert.deepEqual(typecheck(roots, options).map(describeDiagnostic), []);
  });

  for (const file of typeTests) {
    it(`${file.slice(repoRoot.length + 1)}: every @ts-expect-error is needed and fails for its stated reason`, () => {
      const text = readFileSync(file, "utf8");
      const expected = expectations(text);
      assert.ok(expected.length >= 5, "the file states its expectations");
      // Disarm the directives: each following line must then fail with the stated code.
      const disarmed = text.replace(/\/\/ @ts-expect-error TS/g, "// expect-error TS");
      const diagnostics = typecheck([file], tsOptions("tsconfig.json"), new Map([[file, disarmed]]));
      const inFile = diagnostics.filter((d) => d.file?.fileName === file);
      assert.equal(inFile.length, diagnostics.length, `errors outside the file: ${diagnostics.map(describeDiagnostic).join("\n")}`);
      const found = inFile.map((d) => ({ line: d.file!.getLineAndCharacterOfPosition(d.start!).line - 1, code: d.code }));
      for (const e of expected) {
        assert.ok(
          found.some((f) => f.line === e.line && f.code === e.code),
          `line ${e.line + 2}: expected TS${e.code}, got ${inFile.map(describeDiagnostic).join("; ") || "no error"}`,
        );
      }
      const stray = inFile.filter((_, i) => !expected.some((e) => e.line === found[i]!.line));
      assert.deepEqual(stray.map(describeDiagnostic), [], "no error outside the expected lines");
    });
  }
});
