// Helpers for the emitter tests: run the emitter on a spec, read folders, type-check.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, formatDiagnostic, NodeHost } from "@typespec/compiler";
import ts from "typescript";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const emitterPath = join(repoRoot, "scripts/emitter/index.mjs");
export const petstoreDir = join(repoRoot, "test/fixtures/petstore");
export const petstoreVersions = ["2024-01-01", "2025-01-01"] as const;

/** A fresh folder under the repo's git-ignored .tmp/ (specs there still resolve node_modules). */
export function scratchDir(prefix: string): string {
  mkdirSync(join(repoRoot, ".tmp"), { recursive: true });
  return mkdtempSync(join(repoRoot, ".tmp", prefix));
}

/** Relative path → contents of every file under `dir`. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/** Compile `main` with only our emitter and return the emitted files; fails on any error diagnostic. */
export async function emit(main: string, options: Record<string, string>): Promise<Map<string, string>> {
  const out = scratchDir("emit-");
  try {
    const program = await compile(NodeHost, main, {
      emit: [emitterPath],
      options: { "rlc-emitter": { "emitter-output-dir": out, ...options } },
    });
    const errors = program.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => formatDiagnostic(d)), [], "the spec must compile without errors");
    return readTree(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Emit the petstore fixture for one of its versions. */
export function emitPetstore(version: string): Promise<Map<string, string>> {
  return emit(join(petstoreDir, "main.tsp"), { "api-version": version, source: "test/fixtures/petstore/" });
}

/** Compiler options of a repo tsconfig (strict, exactOptionalPropertyTypes, ...). */
export function tsOptions(configFile: string): ts.CompilerOptions {
  const path = join(repoRoot, configFile);
  const parsed = ts.getParsedCommandLineOfConfigFile(path, { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  });
  assert.ok(parsed, `cannot read ${configFile}`);
  return { ...parsed.options, noEmit: true };
}

/** One diagnostic as `file:line: TSxxxx message`. */
export function describeDiagnostic(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (!d.file || d.start === undefined) return `TS${d.code} ${text}`;
  const { line } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative(repoRoot, d.file.fileName)}:${line + 1}: TS${d.code} ${text}`;
}

/**
 * Type-check `roots` (plus what they import). `overrides` replaces file
 * contents in memory, keyed by absolute path.
 */
export function typecheck(roots: string[], options: ts.CompilerOptions, overrides = new Map<string, string>()): ts.Diagnostic[] {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = overrides.get(resolve(fileName));
    return text !== undefined
      ? ts.createSourceFile(fileName, text, languageVersion, true)
      : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const program = ts.createProgram(roots, options, host);
  return [...ts.getPreEmitDiagnostics(program)];
}
