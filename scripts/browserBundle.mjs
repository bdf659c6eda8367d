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
 * esbuild plugin: src/core/verbose.ts loads as `VERBOSE = false`, so every
 * `VERBOSE ? "sentence" : ""` in the client and core folds to its short side.
 */
export const terseMessages = {
  name: "terse-messages",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]core[\\/]verbose\.ts$/ }, () => ({ contents: "export const VERBOSE = false;", loader: "ts" }));
  },
};

/**
 * Bundles the client for browsers. With `outfile` it writes there (with a linked source map);
 * otherwise returns the code. The published `client.js` is this with the defaults, so the size
 * benchmark measures exactly what ships; `verbose: true` is the `development` build, whose
 * errors keep their sentences.
 *
 * Two passes: the first bundles and folds every `VERBOSE ? … : …` (src/core/verbose.ts); the
 * second minifies that one file and, now that the dead sentences are gone, also drops the
 * helpers only they used (esbuild decides what is unused before it folds constants).
 */
export async function bundleClient({ outfile, entry = join(root, "src/client/index.ts"), verbose = false } = {}) {
  const maps = Boolean(outfile);
  // What both passes share. `outfile` is where the file goes, so the maps' paths are relative to it.
  const shared = {
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: outfile ?? "client.js",
    logLevel: "silent",
    legalComments: "none",
  };
  const folded = await build({
    ...shared,
    entryPoints: [entry],
    minifySyntax: true,
    // Members named `_x` are internal (never public API, option, event or wire names): the
    // published file shortens them. #private names are minified anyway; TS `private` are not.
    mangleProps: /^_/,
    sourcemap: maps ? "inline" : false,
    write: false,
    plugins: verbose ? [browserTransport] : [browserTransport, terseMessages],
    // Anything Node-only reaching the bundle is a bug: fail instead of shipping a shim.
    external: [],
  });
  const result = await build({
    ...shared,
    entryPoints: ["folded:client.js"],
    minify: true,
    // The inline map of the first pass is read back, so this one still points at src/.
    sourcemap: maps ? "linked" : false,
    write: Boolean(outfile),
    plugins: [servesText("folded:client.js", folded.outputFiles[0].text)],
  });
  return outfile ? undefined : result.outputFiles.find((f) => f.path.endsWith(".js")).text;
}

/** esbuild plugin: the one module `name`, with `text` as its contents. */
function servesText(name, text) {
  return {
    name: "serves-text",
    setup(b) {
      b.onResolve({ filter: /^folded:/ }, (args) => (args.path === name ? { path: name, namespace: "folded" } : undefined));
      b.onLoad({ filter: /.*/, namespace: "folded" }, () => ({ contents: text, loader: "js", resolveDir: root }));
    },
  };
}
