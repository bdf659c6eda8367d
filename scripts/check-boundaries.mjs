// Reports imports that cross the layout's module boundaries (see README "Layout").
// Usage: node scripts/check-boundaries.mjs  (exit 1 on any stray import)
// test/boundaries.test.ts runs it on the tree and on test/fixtures/boundaries/, a small tree
// with one deliberate violation of each rule, so a checker that stops seeing them fails.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Which top-level areas each area may import (relative imports). */
const allowed = {
  generated: ["generated"],
  "src/core": ["src/core"],
  "src/emulator": ["src/emulator", "src/core"],
  "src/client": ["src/client", "src/core"],
  "src/server": ["src/server", "src/core", "generated"],
  "src/handler": ["src/handler", "src/core"],
  // The `webpubsub` command is the one place that composes the others.
  "src/cli": ["src/cli", "src/core", "src/server", "src/client", "src/emulator"],
  "src/index.ts": ["src/server", "src/core", "src/index.ts"],
};

/**
 * Which packages (bare imports) each area may use; an area not listed is not checked.
 * `node:` stands for every Node built-in.
 */
const allowedPackages = {
  "src/core": ["node:"],
  "src/emulator": ["node:", "ws"],
  // The Node transport of the client SDK is `ws`; the browser one uses the page's WebSocket.
  "src/client": ["ws"],
  "src/handler": ["node:"],
  "src/cli": ["node:"],
};

/** Files that must run in a browser (or an edge runtime): no `node:` import of any kind. */
const browserSafe = [/^src\/core\/protocol\//, /^src\/core\/cloudEvents\.ts$/, /^src\/core\/rules\.ts$/, /^src\/handler\/(?!node\.ts$|express\.ts$)/];
/** Files that may not even name Node's Buffer. */
const noBuffer = [/^src\/core\/protocol\//];
/** Areas whose modules must not import each other in a cycle (at run time). */
const acyclic = ["src/core", "src/emulator"];

function areaOf(rel) {
  if (rel.startsWith("generated/")) return "generated";
  if (rel === "src/index.ts") return "src/index.ts";
  const m = /^src\/([^/]+)\//.exec(rel);
  return m ? `src/${m[1]}` : undefined;
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

// Comments may mention anything ("no Buffer here"); only code counts.
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/**
 * Every import of a file: static (`import`/`export … from`), side-effect, dynamic and
 * `typeof import()`. `typeOnly` marks those that vanish at run time.
 */
function importsOf(code) {
  const found = [];
  for (const m of code.matchAll(/(?:^|[;}])\s*(import|export)\s+(type\s+)?([^;"'`]*?)\bfrom\s*["']([^"']+)["']/gm)) {
    // `import { type A, type B }` is type-only too.
    const names = m[3].replace(/[{}]/g, "").split(",").map((n) => n.trim()).filter(Boolean);
    const allTypes = names.length > 0 && names.every((n) => n.startsWith("type "));
    found.push({ spec: m[4], typeOnly: Boolean(m[2]) || allTypes });
  }
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push({ spec: m[1], typeOnly: false });
  for (const m of code.matchAll(/(typeof\s+)?\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)) found.push({ spec: m[2], typeOnly: Boolean(m[1]) });
  return found;
}

/** Returns a list of "file: what is wrong" strings, one per violation, for the tree at `root`. */
export function findViolations(root = repoRoot) {
  const out = [];
  const graph = new Map();
  const rel = (p) => relative(root, p).split(sep).join("/");
  for (const top of ["src", "generated"]) {
    let files;
    try {
      files = [...walk(join(root, top))];
    } catch {
      continue;
    }
    for (const file of files) {
      const name = rel(file);
      const from = areaOf(name);
      const code = stripComments(readFileSync(file, "utf8"));
      const edges = [];
      graph.set(name, edges);
      for (const { spec, typeOnly } of importsOf(code)) {
        if (spec.startsWith(".")) {
          const targetFile = rel(resolve(dirname(file), spec));
          if (!typeOnly) edges.push(targetFile.replace(/\.js$/, ".ts"));
          const rules = allowed[from];
          if (!rules) continue;
          // The emulator may route by the emitted route table (pure data), and by nothing else generated.
          if (from === "src/emulator" && targetFile === "generated/routeTable.js") continue;
          const target = areaOf(targetFile);
          if (target && !rules.includes(target)) out.push(`${name}: imports ${spec} (${target})`);
          continue;
        }
        const packages = allowedPackages[from];
        if (packages && !packages.some((p) => (p === "node:" ? spec.startsWith("node:") : spec === p || spec.startsWith(`${p}/`)))) {
          out.push(`${name}: imports package ${spec}`);
        }
        if (spec.startsWith("node:") && browserSafe.some((re) => re.test(name))) out.push(`${name}: imports ${spec} but must run in a browser`);
      }
      if (noBuffer.some((re) => re.test(name)) && /\bBuffer\b/.test(code)) out.push(`${name}: uses Buffer but must run in a browser`);
      // A folder's siblings import its index.ts only.
      for (const m of code.matchAll(/["'](\.\.\/[a-z]+)\/(?!index\.js)[^"']+["']/g)) {
        // The emulator command lives with the emulator (so the emulator can change alone); src/cli runs it.
        if (from === "src/cli" && m[0].slice(1, -1) === "../emulator/cli.js") continue;
        if (from?.startsWith("src/")) out.push(`${name}: imports ${m[0]} instead of its index.js`);
      }
    }
  }
  for (const cycle of findCycles(graph)) out.push(`import cycle: ${cycle.join(" -> ")}`);
  return out;
}

// Cycles of run-time imports among files of the acyclic areas (type-only imports vanish when
// compiled, so they cannot make a module see another one half-initialized).
function findCycles(graph) {
  const cycles = [];
  const state = new Map(); // file -> "active" | "done"
  const stack = [];
  const inScope = (f) => acyclic.includes(areaOf(f) ?? "");
  const visit = (file) => {
    state.set(file, "active");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!inScope(next) || !graph.has(next)) continue;
      if (state.get(next) === "active") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (inScope(file) && !state.has(file)) visit(file);
  return cycles;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const v = findViolations(process.argv[2] ? resolve(process.argv[2]) : repoRoot);
  for (const line of v) console.error(line);
  process.exit(v.length ? 1 : 0);
}
