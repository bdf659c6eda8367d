#!/usr/bin/env node
// `webpubsub` command. In a clone (src/ is present: the package does not ship it) it runs
// the TypeScript sources through tsx, so `npm run emulator` never runs a stale dist/ after
// an edit; an installed package runs its built dist/.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const built = fileURLToPath(new URL("../dist/esm/src/cli/index.js", import.meta.url));
const source = fileURLToPath(new URL("../src/cli/index.ts", import.meta.url));

let cli;
if (existsSync(source)) {
  let tsImport;
  try {
    ({ tsImport } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write("webpubsub: this is a clone, and tsx is not installed to run its sources; run `npm install`.\n");
    process.exit(1);
  }
  cli = await tsImport(pathToFileURL(source).href, import.meta.url);
} else if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  process.stderr.write("webpubsub: dist/ is missing; reinstall the package.\n");
  process.exit(1);
}

const code = await cli.main(process.argv.slice(2));
// Exit explicitly: idle keep-alive sockets of fetch must not hold the process open.
process.exit(code);
