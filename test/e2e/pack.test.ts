// The package as a user gets it: a clean checkout is packed (`npm pack` builds on prepack),
// the tarball is installed into an empty project without network, and that project imports
// both entry points from ESM and CommonJS, type-checks under each supported
// moduleResolution, and runs the `webpubsub` command.
//
// Offline install: the runtime dependencies (the non-dev entries of package-lock.json) are
// copied from this checkout's node_modules into the empty project first, as a warm npm cache
// would provide them; `npm install --offline` then has to resolve every dependency of the
// tarball from them and fails if the package needs anything else.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/**
 * Runs a command in its own process group, failing with its output (not just "exit code 1").
 * On timeout the whole group is killed, so a build under `npm pack` does not outlive the test.
 */
function sh(file: string, args: string[], cwd: string, timeout = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeout);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} ${args.join(" ")} failed (${code ?? signal}) in ${cwd}:\n${stdout}\n${stderr}`));
    });
  });
}

/** Files a fresh clone would have: tracked plus new files, nothing ignored (no dist/, no node_modules/). */
async function checkoutFiles(): Promise<string[] | undefined> {
  try {
    const out = await sh("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT);
    return out.split("\0").filter((f) => f !== "" && existsSync(join(ROOT, f)));
  } catch {
    return undefined;
  }
}

describe("the packed package, installed into an empty project", function () {
  // Packing runs the whole build (tsc twice, the declaration rollups, the browser bundle):
  // about a minute alone, several on a machine shared with other builds.
  this.timeout(900_000);
  let dir: string;
  let app: string;
  let tarballFiles: string[];

  before(async function () {
    const files = await checkoutFiles();
    if (!files) {
      console.log("    (skipped: the pack test needs a git checkout to know which files a clone has)");
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), "wps-pack-"));
    const checkout = join(dir, "checkout");
    for (const file of files!) {
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      cpSync(join(ROOT, file), join(checkout, file));
    }
    // A clone after `npm install`: the dev tools the build needs, but no dist/.
    symlinkSync(join(ROOT, "node_modules"), join(checkout, "node_modules"), "dir");
    const packOutput = await sh("npm", ["pack", "--json", "--pack-destination", dir], checkout, 480_000);
    // The prepack build may print before npm's JSON report.
    const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m))) as { filename: string; files: { path: string }[] }[];
    tarballFiles = packed[0]!.files.map((f) => f.path).sort();
    const tarball = join(dir, packed[0]!.filename);

    app = join(dir, "app");
    mkdirSync(join(app, "node_modules"), { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pack-test-app", version: "1.0.0", private: true, type: "module" }));
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === "" || entry.dev || entry.devOptional || path.includes("/node_modules/", "node_modules/".length)) continue;
      cpSync(join(ROOT, path), join(app, path), { recursive: true });
    }
    await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], app);
    // What a TypeScript user has anyway; not a dependency of the package.
    mkdirSync(join(app, "node_modules", "@types"), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(app, "node_modules", "@types", "node"), "dir");
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("holds the built code, LICENSE and one declaration file per entry point, and no source map without its sources", () => {
    for (const file of ["LICENSE", "README.md", "package.json", "bin/webpubsub.mjs", "dist/esm/src/index.js", "dist/cjs/src/emulator/index.js", "dist/cjs/package.json"]) {
      assert.ok(tarballFiles.includes(file), `${file} is missing from the tarball`);
    }
    // Exactly the declaration files "exports" names: one per entry point and format.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, string | Record<string, { types?: string }>> };
    const declared = new Set<string>();
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === "string") continue;
      for (const condition of Object.values(entry)) if (condition.types) declared.add(condition.types.replace(/^\.\//, ""));
    }
    assert.ok(declared.has("dist/esm/src/emulator/index.d.ts") && declared.has("dist/cjs/src/index.d.ts"));
    assert.deepEqual(tarballFiles.filter((f) => f.endsWith(".d.ts")), [...declared].sort());
    assert.deepEqual(tarballFiles.filter((f) => f.startsWith("src/") || f.startsWith("test/")), []);
    // src/ is not shipped, so a source map must carry its sources (sourcesContent) to be of use.
    for (const map of tarballFiles.filter((f) => f.endsWith(".map"))) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(app, "node_modules/webpubsub-service", map), "utf8")) as { sources: string[]; sourcesContent?: (string | null)[] };
      assert.ok(sources.length > 0 && sources.every((_, i) => typeof sourcesContent?.[i] === "string"), `${map} points at sources the package does not ship`);
    }
    assert.equal(tarballFiles.filter((f) => f.startsWith("dist/esm/") && f.endsWith(".js.map")).length, 0, "tsc's maps point at src/*.ts");
    // The public declarations stand alone: no import of one of our own files.
    const types = readFileSync(join(app, "node_modules/webpubsub-service/dist/esm/src/emulator/index.d.ts"), "utf8");
    assert.doesNotMatch(types, /from\s+["']\./);
    assert.doesNotMatch(types, /launchEmulator|HubRegistry/);
  });

  it("ships a README that marks every clone-only command as such", () => {
    const readme = readFileSync(join(app, "node_modules/webpubsub-service/README.md"), "utf8");
    const stray: string[] = [];
    let heading = "";
    for (const line of readme.split("\n")) {
      if (line.startsWith("## ")) heading = line;
      // npm start/test/run only work in a clone: its section or the line itself must say so.
      if (/\bnpm (start|test|run \w)/.test(line) && !/clone/i.test(heading) && !/clone/i.test(line)) stray.push(`${heading} | ${line.trim()}`);
    }
    assert.deepEqual(stray, []);
  });

  const deliver = (load: string): string => `
${load}
const emu = await startEmulator({ port: 0 });
const service = new WebPubSubServiceClient(emu.connectionString, "chat");
try {
  const { url } = await service.getClientAccessToken();
  const ws = new WebSocket(url, "json.webpubsub.azure.v1");
  const received = new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === "message") resolve(frame.data);
    });
    ws.on("error", reject);
  });
  await new Promise((resolve) => ws.once("open", resolve));
  // The send goes through undici, the installed runtime dependency (node:http only under an interceptor).
  let viaUndici = 0;
  const count = () => viaUndici++;
  channel.subscribe("undici:request:create", count);
  await service.sendToAll({ hello: "from the tarball" });
  channel.unsubscribe("undici:request:create", count);
  // The dashboard's page ships in the tarball and is found from this tree.
  const page = await fetch(emu.dashboardUrl);
  const dashboard = page.status === 200 && /<html/i.test(await page.text()) ? "served" : page.status;
  // The client SDK from the tarball, on the \`ws\` the install resolved: a group round trip
  // with an acked send (its batched frame writes and direct frame reads run on that \`ws\`).
  const client = new WebPubSubClient({ getClientAccessUrl: async () => (await service.getClientAccessToken({ roles: ["webpubsub.joinLeaveGroup.g", "webpubsub.sendToGroup.g"] })).url });
  const groupMessages = [];
  const all = new Promise((resolve) => client.on("group-message", (e) => groupMessages.push(e.message.data) === 3 && resolve()));
  await client.start();
  await client.joinGroup("g");
  const acks = await Promise.all([1, 2, 3].map((n) => client.sendToGroup("g", { n }, "json")));
  await all;
  await client.stop();
  const sdk = { acked: acks.map((a) => a.isDuplicated === false).join(), received: groupMessages.map((d) => d.n).sort().join() };
  console.log(JSON.stringify({ data: await received, dashboard, sdk }), viaUndici);
  ws.close();
} finally {
  await service.close();
  await emu.close();
}`;

  it("runs from an ES module: both entry points, the emulator delivers to a WebSocket client and to the client SDK, and serves its dashboard", async () => {
    writeFileSync(
      join(app, "esm.mjs"),
      deliver(`import { WebPubSubServiceClient } from "webpubsub-service";
import { startEmulator } from "webpubsub-service/emulator";
import { WebPubSubClient } from "webpubsub-service/client";
import WebSocket from "ws";
import * as channel from "node:diagnostics_channel";`),
    );
    assert.equal((await sh(process.execPath, ["esm.mjs"], app)).trim(), '{"data":{"hello":"from the tarball"},"dashboard":"served","sdk":{"acked":"true,true,true","received":"1,2,3"}} 1');
  });

  it("runs from CommonJS: both entry points, the emulator delivers to a WebSocket client and to the client SDK, and serves its dashboard", async () => {
    writeFileSync(
      join(app, "cjs.cjs"),
      `(async () => {${deliver(`const { WebPubSubServiceClient } = require("webpubsub-service");
const { startEmulator } = require("webpubsub-service/emulator");
const { WebPubSubClient } = require("webpubsub-service/client");
const WebSocket = require("ws");
const channel = require("node:diagnostics_channel");`)}
})().catch((err) => { console.error(err); process.exit(1); });`,
    );
    assert.equal((await sh(process.execPath, ["cjs.cjs"], app)).trim(), '{"data":{"hello":"from the tarball"},"dashboard":"served","sdk":{"acked":"true,true,true","received":"1,2,3"}} 1');
  });

  // One file, checked under each resolution mode a project may use. The expect-error lines
  // fail the check if a type resolves to `any` instead of the real declarations.
  // skipLibCheck as `tsc --init` sets it: checking all of @types/node three times costs a minute.
  const CHECKED = `import { WebPubSubServiceClient, isWebPubSubError, type WebPubSubErrorCode } from "webpubsub-service";
import { startEmulator, type Emulator, type EmulatorOptions } from "webpubsub-service/emulator";

export async function demo(options: EmulatorOptions): Promise<WebPubSubErrorCode | undefined> {
  const emu: Emulator = await startEmulator(options);
  // @ts-expect-error port is read-only
  emu.port = 1;
  const client = new WebPubSubServiceClient(emu.connectionString, "chat");
  // @ts-expect-error sendToAll needs a message
  await client.sendToAll();
  try {
    await client.sendToAll("hi");
  } catch (err) {
    if (isWebPubSubError(err)) return err.code;
  }
  await emu.close();
  return undefined;
}
`;
  for (const [name, compilerOptions] of [
    ["nodenext", { module: "nodenext", moduleResolution: "nodenext" }],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }],
    ["node10 (module commonjs)", { module: "commonjs", moduleResolution: "node10" }],
  ] as const) {
    it(`type-checks under moduleResolution ${name}`, async () => {
      const project = join(app, `ts-${name.split(" ")[0]}`);
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, "check.ts"), CHECKED);
      writeFileSync(
        join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { ...compilerOptions, target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] },
          files: ["check.ts"],
        }),
      );
      await sh(process.execPath, [TSC, "-p", project], app);
    });
  }

  it("runs `npx webpubsub emulator --port 0` and stops on SIGINT", async () => {
    // Own process group, so Ctrl+C can be sent as a terminal does: to npx and the CLI together.
    const child: ChildProcess = spawn("npx", ["--offline", "webpubsub", "emulator", "--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const interrupt = (signal: NodeJS.Signals): void => void process.kill(-child.pid!, signal);
    try {
      let out = "";
      let err = "";
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
      const outputEnded = new Promise((resolve) => child.stdout!.once("close", resolve));
      const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
          out += chunk;
          const m = /Endpoint=(http:\/\/[^;]+);/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code} before the connection string:\n${out}\n${err}`)));
      });
      const health = await fetch(`${endpoint}/api/health`);
      assert.equal(health.status, 200);
      interrupt("SIGINT");
      // npx itself may die of the signal; the CLI under it must stop cleanly.
      assert.ok([0, "SIGINT"].includes((await exited) as number), err);
      await outputEnded;
      assert.match(out, /Stopping\.\.\.\n.*Stopped\./s);
      assert.doesNotMatch(err, /Error|ERR/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) interrupt("SIGKILL");
    }
  });
});
