// After `npm run build`: every "exports" entry resolves, loads under both ESM and CJS,
// and exposes its main names. Run by .ci/run.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const expected = {
  ".": ["WebPubSubServiceClient", "odata", "AzureKeyCredential"],
  "./client": ["WebPubSubClient", "SendMessageError", "InvocationError", "WebPubSubJsonProtocol", "WebPubSubJsonReliableProtocol"],
  "./emulator": ["startEmulator"],
  "./handler": ["WebPubSubEventHandler", "MqttV311ConnectReturnCode"],
};
const require = createRequire(import.meta.url);
let failures = 0;

for (const [sub, entry] of Object.entries(pkg.exports)) {
  if (typeof entry === "string") continue;
  for (const file of [entry.import.types, entry.import.default, entry.require.types, entry.require.default]) {
    if (!existsSync(file)) {
      console.error(`exports["${sub}"]: ${file} is missing`);
      failures++;
    }
  }
  // TypeScript's node10 resolution ("module": "commonjs") ignores "exports"; typesVersions is
  // what lets it find the subpath's types.
  if (sub !== "." && pkg.typesVersions?.["*"]?.[sub.slice(2)]?.[0] !== `./${entry.require.types.replace(/^\.\//, "")}`) {
    console.error(`typesVersions["*"]["${sub.slice(2)}"] must point at ${entry.require.types}`);
    failures++;
  }
  if (entry.browser) {
    // `default` is the production file (short error messages), `development` the one with
    // sentences: each must exist, stand alone, and export the same names.
    const files = [entry.browser.default, entry.browser.development];
    // Conditions match in key order: `default` must come last or `development` is never chosen.
    const keys = Object.keys(entry.browser);
    if (keys.at(-1) !== "default") (console.error(`exports["${sub}"].browser: "default" must be the last key, got ${keys.join(", ")}`), failures++);
    for (const file of [entry.browser.types, ...files]) {
      if (!file || !existsSync(file)) (console.error(`exports["${sub}"].browser: ${file} is missing`), failures++);
    }
    for (const file of files.filter((f) => f && existsSync(f))) {
      // A browser file must stand alone: no `ws`, no node: builtins, no require().
      const stray = /\bfrom\s*["'](?:ws|node:[^"']*)["']|\brequire\(|\bimport\(["'](?:ws|node:)/.exec(readFileSync(file, "utf8"));
      if (stray) (console.error(`${file} imports Node-only code: ${stray[0]}`), failures++);
      const browser = await import(pathToFileURL(file).href);
      for (const name of expected[sub] ?? []) if (!(name in browser)) (console.error(`${file} lacks ${name}`), failures++);
    }
  }
  const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
  const esm = await import(spec);
  const cjs = require(spec);
  for (const name of expected[sub] ?? []) {
    if (!(name in esm)) (console.error(`ESM ${spec} lacks ${name}`), failures++);
    if (!(name in cjs)) (console.error(`CJS ${spec} lacks ${name}`), failures++);
  }
}
// The emulator's dashboard page: its assets are in both trees and in the tarball, and an
// emulator loaded from each tree serves them.
const ASSET = "src/emulator/dashboard/assets/index.html";
for (const tree of ["dist/esm", "dist/cjs"]) if (!existsSync(`${tree}/${ASSET}`)) (console.error(`${tree}/${ASSET} is missing`), failures++);
const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8" }))[0].files.map((f) => f.path);
for (const tree of ["dist/esm", "dist/cjs"]) if (!packed.includes(`${tree}/${ASSET}`)) (console.error(`the tarball lacks ${tree}/${ASSET}`), failures++);
for (const [kind, mod] of [["ESM", await import(`${pkg.name}/emulator`)], ["CJS", require(`${pkg.name}/emulator`)]]) {
  const emu = await mod.startEmulator({ port: 0 });
  try {
    const res = await fetch(emu.dashboardUrl);
    const text = await res.text();
    if (res.status !== 200 || !/<html/i.test(text)) (console.error(`${kind} emulator: GET ${emu.dashboardUrl} answered ${res.status}`), failures++);
  } finally {
    await emu.close();
  }
}
if (!existsSync(pkg.bin.webpubsub)) (console.error(`bin ${pkg.bin.webpubsub} is missing`), failures++);
const help = execFileSync(process.execPath, [pkg.bin.webpubsub, "--help"], { encoding: "utf8" });
if (!/emulator/.test(help)) (console.error("bin --help does not mention the emulator"), failures++);
console.log(failures ? `package check: ${failures} problem(s)` : "package check: ok");
process.exit(failures ? 1 : 0);
