// Builds the ESM and CJS outputs, then replaces their declaration files with one rolled-up
// .d.ts per export path, so the package ships its public types and none of the internal
// modules' (jose keeps `dist/types/lib` out of its tarball for the same reason). It also
// builds the browser file of the client.
// CJS needs its own package.json marker because the package root is "type": "module".
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { bundleClient } from "./browserBundle.mjs";

const tsc = ["node_modules/typescript/bin/tsc"];
const pkg = JSON.parse(readFileSync("package.json", "utf8"));

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [...tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
execFileSync(process.execPath, [...tsc, "-p", "tsconfig.cjs.json"], { stdio: "inherit" });
mkdirSync("dist/cjs", { recursive: true });
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");

// The dashboard's page ships as files beside its compiled module, which finds them relative
// to itself (src/emulator/dashboard/files.ts), in both trees.
const DASHBOARD_ASSETS = "src/emulator/dashboard/assets";
for (const tree of ["dist/esm", "dist/cjs"]) cpSync(DASHBOARD_ASSETS, join(tree, DASHBOARD_ASSETS), { recursive: true });

// Roll up every entry from the full ESM declarations before any of them is removed.
const rollups = [];
for (const [subpath, entry] of Object.entries(pkg.exports)) {
  if (typeof entry === "string") continue;
  const out = join(".tmp", "types", `${subpath === "." ? "index" : subpath.slice(2)}.d.ts`);
  rollUp(entry.import.types, out);
  rollups.push({ out, targets: [entry.import.types, entry.require.types] });
}
for (const dir of ["dist/esm", "dist/cjs"]) removeDeclarations(dir);
for (const { out, targets } of rollups) {
  for (const target of targets) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(out, target);
  }
}

// The "browser" condition of ./client: one ESM file with the page's WebSocket instead of `ws`,
// with short error messages, and under "development" the same with full ones.
await bundleClient({ outfile: "dist/browser/client.js" });
await bundleClient({ outfile: "dist/browser/client.development.js", verbose: true });

/** Writes one self-contained .d.ts for `entry`: its public surface, with no import of our own files. */
function rollUp(entry, out) {
  const config = ExtractorConfig.prepare({
    configObjectFullPath: undefined,
    packageJsonFullPath: join(process.cwd(), "package.json"),
    configObject: {
      projectFolder: process.cwd(),
      mainEntryPointFilePath: join(process.cwd(), entry),
      compiler: { tsconfigFilePath: join(process.cwd(), "tsconfig.build.json") },
      apiReport: { enabled: false },
      docModel: { enabled: false },
      tsdocMetadata: { enabled: false },
      dtsRollup: { enabled: true, untrimmedFilePath: join(process.cwd(), out) },
      // The API reports (npm run api) judge the surface; the build only needs the file.
      messages: {
        compilerMessageReporting: { default: { logLevel: "warning" } },
        extractorMessageReporting: { default: { logLevel: "none" } },
        tsdocMessageReporting: { default: { logLevel: "none" } },
      },
    },
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    showVerboseMessages: false,
    // Keep the build quiet ("Analysis will use…"): `npm pack --json` shares stdout with it.
    messageCallback: (message) => {
      if (message.logLevel === "info" || message.logLevel === "verbose" || message.logLevel === "none") message.handled = true;
    },
  });
  if (!result.succeeded) throw new Error(`build: rolling up the declarations of ${entry} failed`);
}

function removeDeclarations(dir) {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) removeDeclarations(path);
    else if (name.name.endsWith(".d.ts")) rmSync(path);
  }
}
