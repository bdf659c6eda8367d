// The browser build of webpubsub-service/client: one ESM file from src/client, with
// transport.browser.ts (the page's WebSocket) in place of transport.ts (which imports `ws`).
// Used by scripts/build.mjs, the Chromium test and the bundle-size benchmark.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** esbuild plugin: `./transport.js` inside src/client resolves to transport.browser.ts. */
export const browserTransport = {
  name: "browser-transport",
  setup(b) {
    b.onResolve({ filter: /^\.\/transport\.js$/ }, (args) =>
      args.importer.includes(join("src", "client")) ? { path: join(dirname(args.importer), "transport.browser.ts") } : undefined,
    );
  },
};

/**
 * Bundles the client for browsers. With `outfile` it writes there; otherwise returns the code.
 * The published file is minified (with a linked source map), so the size benchmark measures
 * exactly what ships: both call this with the same settings.
 */
export async function bundleClient({ outfile, entry = join(root, "src/client/index.ts") } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    // Members named `_x` are internal (never public API, option, event or wire names): the
    // published file shortens them. #private names are minified anyway; TS `private` are not.
    mangleProps: /^_/,
    sourcemap: outfile ? "linked" : false,
    write: Boolean(outfile),
    outfile: outfile ?? "client.js",
    plugins: [browserTransport],
    // Anything Node-only reaching the bundle is a bug: fail instead of shipping a shim.
    external: [],
    logLevel: "silent",
    legalComments: "none",
  });
  return outfile ? undefined : result.outputFiles.find((f) => f.path.endsWith(".js")).text;
}
