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
    for (const file of [entry.browser.types, entry.browser.default]) {
      if (!existsSync(file)) (console.error(`exports["${sub}"].browser: ${file} is missing`), failures++);
    }
    // The browser file must stand alone: no `ws`, no node: builtins, no require().
    const code = existsSync(entry.browser.default) ? readFileSync(entry.browser.default, "utf8") : "";
    const stray = /\bfrom\s*["'](?:ws|node:[^"']*)["']|\brequire\(|\bimport\(["'](?:ws|node:)/.exec(code);
    if (stray) (console.error(`exports["${sub}"].browser imports Node-only code: ${stray[0]}`), failures++);
    const browser = await import(pathToFileURL(entry.browser.default).href);
    for (const name of expected[sub] ?? []) if (!(name in browser)) (console.error(`browser ${sub} lacks ${name}`), failures++);
  }
  const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
  const esm = await import(spec);
  const cjs = require(spec);
  for (const name of expected[sub] ?? []) {
    if (!(name in esm)) (console.error(`ESM ${spec} lacks ${name}`), failures++);
    if (!(name in cjs)) (console.error(`CJS ${spec} lacks ${name}`), failures++);
  }
}
if (!existsSync(pkg.bin.webpubsub)) (console.error(`bin ${pkg.bin.webpubsub} is missing`), failures++);
const help = execFileSync(process.execPath, [pkg.bin.webpubsub, "--help"], { encoding: "utf8" });
if (!/emulator/.test(help)) (console.error("bin --help does not mention the emulator"), failures++);
console.log(failures ? `package check: ${failures} problem(s)` : "package check: ok");
process.exit(failures ? 1 : 0);
