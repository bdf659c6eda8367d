// Static files of the dashboard: the page's assets (shipped beside the compiled module, see
// scripts/build.mjs) and the client SDK's browser bundle for the test-client panel.
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { notFound, RestError } from "../errors.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
  ".ico": "image/x-icon",
};

/** A file to send. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * The folder of this module, from ESM (tsx or dist/esm) and CommonJS (dist/cjs) alike:
 * `import.meta` cannot appear in the CommonJS build and `__dirname` does not exist in ESM,
 * so the module's own file name is read from a stack frame.
 */
export function moduleDirectory(): string {
  const original = Error.prepareStackTrace;
  let file: string | undefined;
  try {
    Error.prepareStackTrace = (_err, frames) => frames;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    file = frames?.[0]?.getFileName() ?? undefined;
  } finally {
    Error.prepareStackTrace = original;
  }
  if (file === undefined) throw new Error("the dashboard cannot locate its own module file");
  return dirname(file.startsWith("file:") ? fileURLToPath(file) : file);
}

/** The assets folder: beside this module in src/ and in both dist/ trees. */
export const ASSETS_DIR = join(moduleDirectory(), "assets");

/** Reads an asset by its relative name; 404 for anything outside the folder or missing. */
export async function readAsset(name: string, dir = ASSETS_DIR): Promise<StaticFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    throw notFound("No such dashboard asset.");
  }
  const path = resolve(dir, decoded);
  // No escape from the folder: `..`, absolute paths and encoded separators all resolve outside it.
  if (decoded === "" || decoded.includes("\0") || !path.startsWith(dir + sep)) throw notFound("No such dashboard asset.");
  const type = TYPES[path.slice(path.lastIndexOf(".")).toLowerCase()];
  if (type === undefined) throw notFound("No such dashboard asset.");
  try {
    return { body: await readFile(path), contentType: type };
  } catch {
    throw notFound("No such dashboard asset.");
  }
}

/** The package root: the nearest folder above this module whose package.json names this package. */
function packageRoot(from: string): string | undefined {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "webpubsub-service") return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** The client SDK's browser bundle (dist/browser/client.js); 404 with a hint when it is not built. */
export async function readClientBundle(): Promise<StaticFile> {
  const root = packageRoot(moduleDirectory());
  const path = root === undefined ? undefined : join(root, "dist", "browser", "client.js");
  try {
    if (path === undefined) throw new Error("no package root");
    return { body: await readFile(path), contentType: TYPES[".js"]! };
  } catch {
    throw new RestError(404, "Error.NotFound", "The client SDK's browser bundle is not built: run npm run build.");
  }
}
