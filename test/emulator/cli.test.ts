import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import WebSocket from "ws";
import { signJwtSync } from "../../src/core/index.js";
import { main, type CliEmulator, type CliIo, type CliStartOptions } from "../../src/emulator/cli.js";
import { ConfigError, loadConfig, validateConfig } from "../../src/emulator/config.js";
import { API_VERSION } from "./helpers.js";

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin", "webpubsub.mjs");
const CUSTOM_KEY = "my-own-emulator-key-0123456789-abcdefgh";

/** A client token for hub `chat` of a CLI emulator with the default key. */
function token(port: number): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwtSync({ aud: `http://127.0.0.1:${port}/client/hubs/chat`, iat: now, exp: now + 600 }, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH");
}

class Sink {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Runs main() in-process against a fake emulator; stops it as soon as it has started. */
async function runInProcess(argv: string[], fake: Partial<{ start: Error; close: Error }> = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const controller = new AbortController();
  const calls: CliStartOptions[] = [];
  let closed = 0;
  const io: CliIo = {
    stdout,
    stderr,
    signal: controller.signal,
    processSignals: false,
    startEmulator(options): CliEmulator {
      calls.push(options);
      if (fake.start) throw fake.start;
      options.onLog?.("REST HEAD /api/health -> 200");
      // Stop once main() is waiting for a signal.
      setImmediate(() => controller.abort());
      const port = options.port === 0 ? 41234 : (options.port ?? 8080);
      const endpoint = `http://localhost:${port}`;
      return {
        endpoint,
        port,
        connectionString: `Endpoint=${endpoint};AccessKey=${options.accessKey ?? "DEFAULT"};Version=1.0;`,
        dashboardUrl: options.dashboard === false ? null : `${endpoint}/_dashboard`,
        async close() {
          closed++;
          if (fake.close) throw fake.close;
        },
      };
    },
  };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text, calls, closed: () => closed };
}

describe("cli", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wps-cli-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function configFile(content: unknown): string {
    const path = join(dir, "config.json");
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  }

  describe("arguments", () => {
    it("prints help and exits 0 without starting anything", async () => {
      const run = await runInProcess(["--help"]);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /Usage: webpubsub emulator/);
      assert.match(run.stdout, /--quiet/);
      assert.match(run.stdout, /accessKey.*printed too/s);
      assert.equal(run.calls.length, 0);
    });

    it("accepts help after the command", async () => {
      assert.equal((await runInProcess(["emulator", "-h"])).code, 0);
    });

    it("rejects an unknown option with exit code 2, one clear line and the usage", async () => {
      const run = await runInProcess(["emulator", "--prot", "1"]);
      assert.equal(run.code, 2);
      const [first, ...rest] = run.stderr.split("\n");
      assert.equal(first, "webpubsub: unknown option '--prot'");
      assert.match(rest.join("\n"), /^\nUsage: webpubsub emulator/);
      assert.equal(run.stdout, "");
      assert.equal(run.calls.length, 0);
    });

    it("says which option lacks a value or takes none", async () => {
      assert.match((await runInProcess(["emulator", "--port"])).stderr, /^webpubsub: --port needs a value\n/);
      assert.match((await runInProcess(["emulator", "--quiet=yes"])).stderr, /^webpubsub: --quiet takes no value\n/);
    });

    it("prints the package version for --version and -v", async () => {
      const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
      for (const flag of ["--version", "-v"]) {
        const run = await runInProcess([flag]);
        assert.equal(run.code, 0);
        assert.equal(run.stdout, `${version}\n`);
        assert.equal(run.calls.length, 0);
      }
    });

    it("documents the short options in the help", async () => {
      const help = (await runInProcess(["--help"])).stdout;
      for (const option of ["-p, --port", "-c, --config", "-q, --quiet", "-v, --version", "-h, --help"]) assert.ok(help.includes(option), option);
    });

    it("prints the dashboard's address, says when it needs the key, and turns it off with --no-dashboard", async () => {
      const run = await runInProcess(["emulator", "-p", "0"]);
      assert.equal(run.calls[0]?.dashboard, undefined);
      assert.match(run.stdout, /^Dashboard: http:\/\/localhost:41234\/_dashboard$/m);
      const exposed = await runInProcess(["emulator", "-p", "0", "--host", "0.0.0.0"]);
      assert.match(exposed.stdout, /^Dashboard: http:\/\/localhost:41234\/_dashboard \(log in with the access key\)$/m);
      const off = await runInProcess(["emulator", "-p", "0", "--no-dashboard"]);
      assert.equal(off.calls[0]?.dashboard, false);
      assert.doesNotMatch(off.stdout, /Dashboard/);
      assert.doesNotMatch((await runInProcess(["emulator", "-p", "0", "-q"])).stdout, /Dashboard/);
      assert.match((await runInProcess(["--help"])).stdout, /--no-dashboard/);
    });

    it("accepts -p for the port", async () => {
      assert.equal((await runInProcess(["emulator", "-p", "0"])).calls[0]?.port, 0);
    });

    it("rejects a missing or unknown command", async () => {
      assert.match((await runInProcess([])).stderr, /missing command/);
      const run = await runInProcess(["serve"]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /unknown command 'serve'/);
    });

    it("rejects a port that is not 0-65535", async () => {
      for (const port of ["-1", "65536", "80a", ""]) {
        const run = await runInProcess(["emulator", `--port=${port}`]);
        assert.equal(run.code, 2, port);
        assert.match(run.stderr, /--port must be an integer/);
      }
    });

    it("starts on 8080 and 127.0.0.1 by default", async () => {
      const run = await runInProcess(["emulator"]);
      assert.equal(run.code, 0);
      assert.equal(run.calls[0]?.port, 8080);
      assert.equal(run.calls[0]?.host, "127.0.0.1");
      assert.equal(run.calls[0]?.accessKey, undefined, "the emulator's default key applies");
    });
  });

  describe("running", () => {
    it("prints the connection string, closes on the stop signal and exits 0", async () => {
      const run = await runInProcess(["emulator", "--port", "0"]);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /Endpoint=http:\/\/localhost:41234;AccessKey=DEFAULT;Version=1\.0;/);
      assert.equal(run.closed(), 1);
      assert.match(run.stdout, /Stopped\./);
    });

    it("prints emulator log lines with a timestamp", async () => {
      const run = await runInProcess(["emulator"]);
      assert.match(run.stdout, /^\d\d:\d\d:\d\d\.\d{3} REST HEAD \/api\/health -> 200$/m);
    });

    it("--quiet prints exactly one line, the connection string, and no log lines", async () => {
      const run = await runInProcess(["emulator", "--quiet", "--port", "0"]);
      assert.equal(run.code, 0);
      assert.equal(run.calls[0]?.onLog, undefined);
      assert.equal(run.stdout, "Endpoint=http://localhost:41234;AccessKey=DEFAULT;Version=1.0;\n");
      assert.equal(run.stderr, "");
    });

    it("warns on stderr that --host 0.0.0.0 exposes the well-known key to the network", async () => {
      for (const host of ["0.0.0.0", "::", "192.168.1.10"]) {
        const run = await runInProcess(["emulator", "--host", host, "--quiet"]);
        assert.match(run.stderr, new RegExp(`^webpubsub: warning: listening on ${host.replace(/\./g, "\\.")} makes the emulator reachable from the network.*well-known emulator key`));
        assert.equal(run.stdout.split("\n").length, 2, "the warning stays off stdout");
      }
      for (const host of ["127.0.0.1", "::1", "localhost"]) {
        assert.equal((await runInProcess(["emulator", "--host", host])).stderr, "", host);
      }
    });

    it("reports a port in use with a hint and exit code 1", async () => {
      const err = new Error("The emulator cannot listen on 127.0.0.1:8080: EADDRINUSE", {
        cause: Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }),
      });
      const run = await runInProcess(["emulator"], { start: err });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /127\.0\.0\.1:8080: the port is in use \(try --port 0\)/);
    });

    it("exits 1 when closing fails", async () => {
      const run = await runInProcess(["emulator"], { close: new Error("boom") });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /error while stopping: boom/);
    });
  });

  describe("config file", () => {
    it("passes port, host, key and hubs to the emulator", async () => {
      const hubs = { Chat: { eventHandlers: [{ urlTemplate: "http://localhost:3000/api/{event}?code=hidden", systemEvents: ["connect"] }] } };
      const path = configFile({ port: 9000, host: "0.0.0.0", accessKey: CUSTOM_KEY, hubs });
      const run = await runInProcess(["emulator", "--config", path]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        { port: run.calls[0]?.port, host: run.calls[0]?.host, key: run.calls[0]?.accessKey, hubs: run.calls[0]?.hubs },
        { port: 9000, host: "0.0.0.0", key: CUSTOM_KEY, hubs },
      );
      assert.match(run.stdout, /Hub Chat: connect -> http:\/\/localhost:3000\/api\/\{event\}/);
      assert.doesNotMatch(run.stdout, /hidden/);
    });

    it("lets command-line options override the file", async () => {
      const path = configFile({ port: 9000, host: "0.0.0.0" });
      const run = await runInProcess(["emulator", "--config", path, "--port", "9100", "--host", "::1"]);
      assert.equal(run.calls[0]?.port, 9100);
      assert.equal(run.calls[0]?.host, "::1");
    });

    it("names the bad field and exits 1", async () => {
      const path = configFile({ hubs: { chat: { eventHandlers: [{ urlTemplate: "localhost:3000/{event}" }] } } });
      const run = await runInProcess(["emulator", "--config", path]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /hubs\.chat\.eventHandlers\[0\]\.urlTemplate/);
      assert.ok(run.stderr.includes(path), "names the file");
      assert.equal(run.calls.length, 0);
    });

    it("reports a missing file", async () => {
      const run = await runInProcess(["emulator", "--config", join(dir, "nope.json")]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /nope\.json: file not found/);
    });

    it("reports invalid JSON", async () => {
      const run = await runInProcess(["emulator", "--config", configFile('{"hubs": {,}}')]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /is not valid JSON/);
    });

    it("reports invalid JSON without quoting the file, so an unquoted key stays out of stderr", async () => {
      const run = await runInProcess(["emulator", "--config", configFile(`{"accessKey": ${CUSTOM_KEY}}`)]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /is not valid JSON/);
      assert.ok(!run.stderr.includes(CUSTOM_KEY.slice(0, 6)), run.stderr);
    });
  });

  describe("validateConfig", () => {
    function rejects(value: unknown, field: string | undefined, message: RegExp): void {
      assert.throws(
        () => validateConfig(value),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.field, field);
          assert.match(err.message, message);
          return true;
        },
      );
    }

    it("accepts an empty object", () => {
      assert.deepEqual(validateConfig({}), { hubs: {} });
    });

    it("rejects a non-object", () => {
      rejects([], undefined, /must be a JSON object/);
    });

    it("rejects unknown top-level fields, so typos surface", () => {
      rejects({ hub: {} }, "hub", /hub is not a known field/);
    });

    it("tolerates $schema", () => {
      assert.deepEqual(validateConfig({ $schema: "./schema.json" }), { hubs: {} });
    });

    it("rejects a bad port", () => {
      rejects({ port: "8080" }, "port", /port must be an integer/);
      rejects({ port: 70000 }, "port", /port must be an integer/);
      rejects({ port: 1.5 }, "port", /port must be an integer/);
    });

    it("rejects an empty host", () => {
      rejects({ host: " " }, "host", /host must be a non-empty string/);
    });

    it("rejects a short key without quoting it", () => {
      assert.throws(
        () => validateConfig({ accessKey: "short-secret" }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.field, "accessKey");
          assert.match(err.message, /at least 32 bytes/);
          assert.ok(!err.message.includes("short-secret"));
          return true;
        },
      );
    });

    it("rejects a key with ';'", () => {
      rejects({ accessKey: `${CUSTOM_KEY};x` }, "accessKey", /must not contain ';'/);
    });

    it("names the path of a bad handler field", () => {
      rejects(
        { hubs: { chat: { eventHandlers: [{ urlTemplate: "http://x/" }, { urlTemplate: "http://x/", systemEvents: "connect" }] } } },
        "hubs.chat.eventHandlers[1].systemEvents",
        /systemEvents must be an array/,
      );
      rejects({ hubs: { chat: { eventHandlers: [{}] } } }, "hubs.chat.eventHandlers[0].urlTemplate", /must be a non-empty string/);
      rejects({ hubs: [] }, "hubs", /hubs must be an object/);
    });

    it("keeps hub names as written", () => {
      const config = validateConfig({ hubs: { MyHub: { eventHandlers: [] } } });
      assert.deepEqual(Object.keys(config.hubs), ["MyHub"]);
    });

    it("loads a file with a byte-order mark", async () => {
      const path = configFile(`\uFEFF${JSON.stringify({ port: 1234 })}`);
      assert.equal((await loadConfig(path)).port, 1234);
    });
  });

  describe("bin/webpubsub.mjs", function () {
    this.timeout(20_000);

    interface Spawned {
      child: ChildProcess;
      stdout(): string;
      stderr(): string;
      waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
      exit: Promise<number | null>;
    }

    function spawnCli(args: string[]): Spawned {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        for (const w of [...waiters]) {
          const m = out.match(w.pattern);
          if (m) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      });
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      return {
        child,
        stdout: () => out,
        stderr: () => err,
        exit,
        waitFor(pattern) {
          const m = out.match(pattern);
          if (m) return Promise.resolve(m);
          return new Promise((resolve, reject) => {
            waiters.push({ pattern, resolve });
            void exit.then((code) => reject(new Error(`CLI exited (${code}) before printing ${pattern}:\n${out}\n${err}`)));
          });
        },
      };
    }

    let running: Spawned | undefined;
    afterEach(() => {
      if (running && running.child.exitCode === null) running.child.kill("SIGKILL");
      running = undefined;
    });

    it("runs the sources in a clone even when a stale dist/ exists, and dist/ in an installed package", async () => {
      // A copy of the bin with stand-in entry points that say which one ran.
      mkdirSync(join(dir, "bin"));
      cpSync(BIN, join(dir, "bin", "webpubsub.mjs"));
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
      mkdirSync(join(dir, "src", "cli"), { recursive: true });
      writeFileSync(join(dir, "src", "cli", "index.ts"), `export async function main(argv: string[]): Promise<number> { console.log("source", argv.join(" ")); return 0; }`);
      mkdirSync(join(dir, "dist", "esm", "src", "cli"), { recursive: true });
      writeFileSync(join(dir, "dist", "esm", "src", "cli", "index.js"), `export async function main(argv) { console.log("dist", argv.join(" ")); return 0; }`);
      const runBin = async () => (await execFileAsync(process.execPath, [join(dir, "bin", "webpubsub.mjs"), "--version"])).stdout;
      assert.equal(await runBin(), "source --version\n");
      rmSync(join(dir, "src"), { recursive: true });
      assert.equal(await runBin(), "dist --version\n");
    });

    it("serves on the port it prints for --port 0 and exits 0 on SIGINT", async () => {
      running = spawnCli(["emulator", "--port", "0"]);
      const [, endpoint, port] = await running.waitFor(/Endpoint=(http:\/\/[^:;]+:(\d+));AccessKey=[^;]+;Version=1\.0;/);
      assert.notEqual(port, "0");
      const res = await fetch(`${endpoint}/api/health`, { method: "HEAD" });
      assert.equal(res.status, 200);
      await running.waitFor(/\/api\/health/);
      running.child.kill("SIGINT");
      assert.equal(await running.exit, 0);
      assert.match(running.stdout(), /Stopped\./);
      assert.equal(running.stderr(), "");
    });

    it("--quiet prints the connection string only and exits 0 on SIGTERM", async () => {
      running = spawnCli(["emulator", "--port", "0", "--quiet"]);
      const [, endpoint] = await running.waitFor(/Endpoint=(http:\/\/[^;]+);/);
      assert.equal((await fetch(`${endpoint}/api/health`, { method: "HEAD" })).status, 200);
      running.child.kill("SIGTERM");
      assert.equal(await running.exit, 0);
      assert.match(running.stdout(), /^Endpoint=http:\/\/localhost:\d+;AccessKey=[^;]+;Version=1\.0;\n$/);
    });

    it("keeps serving when its stdout pipe closes (`| head`)", async () => {
      running = spawnCli(["emulator", "--port", "0"]);
      const [, endpoint, port] = await running.waitFor(/Endpoint=(http:\/\/[^:;]+:(\d+));/);
      // What `| head -3` does once it has its lines: the read end goes away.
      running.child.stdout!.destroy();
      const client = new WebSocket(`ws://127.0.0.1:${port}/client/hubs/chat?access_token=${token(Number(port))}`);
      await new Promise((resolve, reject) => client.once("open", resolve).once("error", reject));
      // Each of these makes the emulator log a line into the dead pipe.
      for (let i = 0; i < 5; i++) assert.equal((await fetch(`${endpoint}/api/health`)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(client.readyState, WebSocket.OPEN);
      assert.equal(running.child.exitCode, null, running.stderr());
      const closed = new Promise<number>((resolve) => client.once("close", (code) => resolve(code)));
      running.child.kill("SIGINT");
      assert.equal(await running.exit, 0);
      assert.equal(await closed, 1001);
      assert.doesNotMatch(running.stderr(), /EPIPE|Error/);
    });

    it("exits non-zero naming the bad config field", async () => {
      const path = configFile({ port: 0, hubs: { chat: { eventHandlers: [{ urlTemplate: "http://x/", userEventPattern: 5 }] } } });
      running = spawnCli(["emulator", "--config", path]);
      assert.equal(await running.exit, 1);
      assert.match(running.stderr(), /hubs\.chat\.eventHandlers\[0\]\.userEventPattern/);
    });

    it("prints a custom key in the banner but never in log lines", async () => {
      const path = configFile({ port: 0, accessKey: CUSTOM_KEY });
      running = spawnCli(["emulator", "--config", path]);
      const [, endpoint] = await running.waitFor(/Endpoint=(http:\/\/[^;]+);AccessKey=([^;]+);/);
      // An unauthenticated REST call gets logged; the key must not appear in that line.
      await fetch(`${endpoint}/api/hubs/chat/:send?api-version=${API_VERSION}`, { method: "POST", headers: { authorization: `Bearer x.${CUSTOM_KEY}.y` } });
      await running.waitFor(/:send/);
      running.child.kill("SIGINT");
      assert.equal(await running.exit, 0);
      const lines = running.stdout().split("\n");
      assert.equal(lines.filter((l) => l.includes(CUSTOM_KEY)).length, 1, running.stdout());
      assert.ok(lines.find((l) => l.includes(CUSTOM_KEY))?.includes("Endpoint="));
    });
  });
});
