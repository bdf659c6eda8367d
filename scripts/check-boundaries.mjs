// Reports imports that cross the layout's module boundaries (see README "Layout").
// Usage: node scripts/check-boundaries.mjs  (exit 1 on any stray import)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Which top-level areas each area may import (relative imports only). */
const allowed = {
  generated: ["generated"],
  "src/core": ["src/core"],
  "src/emulator": ["src/emulator", "src/core"],
  "src/client": ["src/client", "src/core"],
  "src/server": ["src/server", "src/core", "generated"],
  "src/handler": ["src/handler", "src/core"],
  "src/index.ts": ["src/server", "src/core", "src/index.ts"],
};

function areaOf(file) {
  const rel = relative(root, file).split(sep).join("/");
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

/** Returns a list of "file: imports target" strings for every boundary violation. */
export function findViolations() {
  const out = [];
  for (const top of ["src", "generated"]) {
    let files;
    try {
      files = [...walk(join(root, top))];
    } catch {
      continue;
    }
    for (const file of files) {
      const from = areaOf(file);
      const rules = allowed[from];
      if (!rules) continue;
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        const target = areaOf(resolve(dirname(file), m[1]));
        // The emulator may route by the emitted route table (pure data), and by nothing else generated.
        if (from === "src/emulator" && relative(root, resolve(dirname(file), m[1])).split(sep).join("/") === "generated/routeTable.js") continue;
        if (target && !rules.includes(target)) out.push(`${relative(root, file)}: imports ${m[1]} (${target})`);
      }
      // A folder's siblings import its index.ts only.
      for (const m of text.matchAll(/["'](\.\.\/[a-z]+)\/(?!index\.js)[^"']+["']/g)) {
        if (from?.startsWith("src/")) out.push(`${relative(root, file)}: imports ${m[0]} instead of its index.js`);
      }
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const v = findViolations();
  for (const line of v) console.error(line);
  process.exit(v.length ? 1 : 0);
}
