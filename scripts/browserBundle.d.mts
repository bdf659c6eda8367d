// Types of browserBundle.mjs for the TypeScript tests and benchmarks that call it.
import type { Plugin } from "esbuild";

/** esbuild plugin: `./transport.js` inside src/client resolves to transport.browser.ts. */
export declare const browserTransport: Plugin;

/** esbuild plugin: src/core/verbose.ts loads as `VERBOSE = false` (short error messages). */
export declare const terseMessages: Plugin;

/**
 * Bundles the client for browsers; returns the code unless `outfile` is given. `verbose: true`
 * is the `development` build, whose errors keep their sentences.
 */
export declare function bundleClient(options?: { outfile?: string; entry?: string; verbose?: boolean }): Promise<string>;
