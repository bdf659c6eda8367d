// Builds the ESM and CJS outputs, and the browser build of the client. CJS needs its own
// package.json marker because the package root is "type": "module".
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { bundleClient } from "./browserBundle.mjs";

const tsc = ["node_modules/typescript/bin/tsc"];
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [...tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
execFileSync(process.execPath, [...tsc, "-p", "tsconfig.cjs.json"], { stdio: "inherit" });
mkdirSync("dist/cjs", { recursive: true });
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
// The "browser" condition of ./client: one ESM file with the page's WebSocket instead of `ws`.
await bundleClient({ outfile: "dist/browser/client.js" });
