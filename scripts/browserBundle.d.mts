// Types of browserBundle.mjs for the TypeScript tests and benchmarks that call it.
import type { Plugin } from "esbuild";

/** esbuild plugin: `./transport.js` inside src/client resolves to transport.browser.ts. */
export declare const browserTransport: Plugin;

/** Bundles the client for browsers; returns the code unless `outfile` is given. */
export declare function bundleClient(options?: { outfile?: string; entry?: string }): Promise<string>;
