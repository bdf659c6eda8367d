// `npm run generate`: compiles the TypeSpec once and runs two emitters,
//   @typespec/openapi3 → spec/openapi/webpubsub.<version>.json (every version)
//   scripts/emitter    → generated/ (RLC for the newest version)
// Output goes to staging folders first; the targets are swapped in only when
// the compile has no errors, so a bad spec never leaves a half-written folder.
//
// Options (for tests): --spec <main.tsp> --out <dir> --openapi-out <dir>
//   --api-version <v> --client-name <Name>
import { compile, logDiagnostics, NodeHost } from "@typespec/compiler";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    spec: { type: "string", default: join(root, "spec/main.tsp") },
    out: { type: "string", default: join(root, "generated") },
    "openapi-out": { type: "string", default: join(root, "spec/openapi") },
    "api-version": { type: "string" },
    "client-name": { type: "string", default: "WebPubSubServiceClient" },
  },
});

/**
 * Scratch folder for `target`: under the repo's git-ignored .tmp/ when the
 * target is in the repo (so a crash leaves nothing git sees), else beside it;
 * either way on the target's file system, so renames are atomic.
 * @param {string} target @param {string} tag
 */
function scratch(target, tag) {
  const inRepo = !relative(root, target).startsWith("..");
  const name = `${basename(target)}.${tag}`;
  return inRepo ? join(root, ".tmp", `generate-${process.pid}`, name) : join(dirname(target), `.${name}-${process.pid}`);
}

/**
 * Relative path → contents of every file under `dir` (empty when missing).
 * @param {string} dir
 */
function snapshot(dir) {
  /** @type {Map<string, string>} */
  const files = new Map();
  const walk = (/** @type {string} */ d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

/**
 * Replace `target` by `staged` unless their contents are already equal.
 * @param {string} staged @param {string} target
 * @returns {boolean} whether `target` changed
 */
function swapIn(staged, target) {
  const before = snapshot(target);
  const after = snapshot(staged);
  const same = before.size === after.size && [...after].every(([k, v]) => before.get(k) === v);
  if (same) return false;
  const old = scratch(target, "old");
  mkdirSync(dirname(old), { recursive: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(staged, target);
  rmSync(old, { recursive: true, force: true });
  return true;
}

const started = performance.now();
const out = resolve(args.out);
const openapiOut = resolve(args["openapi-out"]);
const staged = { rlc: scratch(out, "new"), openapi: scratch(openapiOut, "new") };
let exitCode = 1;
try {
  const program = await compile(NodeHost, resolve(args.spec), {
    outputDir: dirname(staged.rlc),
    emit: ["@typespec/openapi3", join(root, "scripts/emitter/index.mjs")],
    options: {
      "@typespec/openapi3": {
        "emitter-output-dir": staged.openapi,
        "file-type": "json",
        "output-file": "webpubsub.{version}.json",
        "omit-unreachable-types": true,
      },
      "rlc-emitter": {
        "emitter-output-dir": staged.rlc,
        "client-name": args["client-name"],
        ...(args["api-version"] && { "api-version": args["api-version"] }),
      },
    },
  });
  logDiagnostics(program.diagnostics, NodeHost.logSink);
  const errors = program.diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) {
    console.error(`generate: ${errors} TypeSpec error(s); ${relative(root, out)}/ and ${relative(root, openapiOut)}/ left untouched`);
  } else if (!existsSync(staged.rlc) || !existsSync(staged.openapi)) {
    console.error("generate: an emitter produced no output; targets left untouched");
  } else {
    const changed = [swapIn(staged.rlc, out), swapIn(staged.openapi, openapiOut)];
    const ms = Math.round(performance.now() - started);
    console.log(`generate: ${relative(root, out)}/ ${changed[0] ? "updated" : "unchanged"}, ${relative(root, openapiOut)}/ ${changed[1] ? "updated" : "unchanged"} (${ms} ms)`);
    exitCode = 0;
  }
} catch (error) {
  console.error("generate: failed:", error instanceof Error ? (error.stack ?? error.message) : error);
} finally {
  for (const dir of [staged.rlc, staged.openapi]) rmSync(dir, { recursive: true, force: true });
  rmSync(join(root, ".tmp", `generate-${process.pid}`), { recursive: true, force: true });
}
process.exitCode = exitCode;
