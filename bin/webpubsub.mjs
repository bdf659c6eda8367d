#!/usr/bin/env node
// `webpubsub` command. Runs the built CLI when dist/ exists (published package);
// in a fresh clone it runs the TypeScript source through tsx instead.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const built = fileURLToPath(new URL("../dist/esm/src/emulator/cli.js", import.meta.url));
const source = fileURLToPath(new URL("../src/emulator/cli.ts", import.meta.url));

let cli;
if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  let tsImport;
  try {
    ({ tsImport } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write("webpubsub: dist/ is missing and tsx is not installed; run `npm run build` or `npm install`.\n");
    process.exit(1);
  }
  cli = await tsImport(pathToFileURL(source).href, import.meta.url);
}

const code = await cli.main(process.argv.slice(2));
// Exit explicitly: idle keep-alive sockets of fetch must not hold the process open.
process.exit(code);
