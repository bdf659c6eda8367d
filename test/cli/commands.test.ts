import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { main, type CommandIo } from "../../src/cli/index.js";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";

const ROOT = resolve(import.meta.dirname, "../..");

class Sink {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, extra: Partial<CommandIo> = {}): Promise<Run> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(argv, { stdout, stderr, env, processSignals: false, ...extra });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function payloadOf(url: string): Record<string, unknown> {
  const token = new URL(url).searchParams.get("access_token")!;
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

/** A plain WebSocket client: server messages arrive as bare frames. */
async function connect(url: string): Promise<{ ws: WebSocket; next(): Promise<{ data: Buffer; binary: boolean }> }> {
  const ws = new WebSocket(url);
  const queue: { data: Buffer; binary: boolean }[] = [];
  const waiters: ((m: { data: Buffer; binary: boolean }) => void)[] = [];
  ws.on("message", (data: Buffer, binary: boolean) => {
    const item = { data, binary };
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else queue.push(item);
  });
  await new Promise<void>((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  return {
    ws,
    next: () => {
      const item = queue.shift();
      if (item) return Promise.resolve(item);
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error("no message within 5 s")), 5000);
        waiters.push((m) => {
          clearTimeout(timer);
          ok(m);
        });
      });
    },
  };
}

describe("webpubsub command", () => {
  it("prints the package version with --version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const result = await run(["--version"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
  });

  it("answers an unknown command with one line, a pointer to --help and exit code 2", async () => {
    const result = await run(["publish"]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^webpubsub: unknown command 'publish'; expected one of emulator, token, send, listen\nRun 'webpubsub --help' for usage\.\n$/);
  });

  it("names an unknown flag of a command in one line, without Node's parseArgs text", async () => {
    const result = await run(["token", "--usr", "alice"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "webpubsub token: unknown option --usr\nRun 'webpubsub token --help' for usage.\n");
  });

  it("prints per-command help", async () => {
    const token = await run(["token", "--help"]);
    assert.equal(token.code, 0);
    assert.match(token.stdout, /^Usage: webpubsub token/);
    const send = await run(["send", "-h"]);
    assert.match(send.stdout, /^Usage: webpubsub send/);
  });
});

describe("webpubsub token and send against the emulator", () => {
  let emu: Emulator;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const open: WebSocket[] = [];

  before(async () => {
    emu = await startEmulator({ port: 0 });
    env = { AZURE_WEBPUBSUB_CONNECTION_STRING: emu.connectionString, AZURE_WEBPUBSUB_HUB: "chat" };
    dir = mkdtempSync(join(tmpdir(), "wps-cli-"));
  });
  afterEach(() => {
    for (const ws of open.splice(0)) ws.terminate();
  });
  after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function client(args: string[]) {
    const token = await run(["token", ...args], env);
    assert.equal(token.code, 0, token.stderr);
    const c = await connect(token.stdout.trim());
    open.push(c.ws);
    return c;
  }

  it("mints a URL the emulator accepts, with the user, roles and groups as claims", async () => {
    const result = await run(["token", "--user", "alice", "--role", "webpubsub.joinLeaveGroup", "--role", "webpubsub.sendToGroup.g", "--group", "g", "--expires-in", "5"], env);
    assert.equal(result.code, 0, result.stderr);
    const url = result.stdout.trim();
    assert.ok(url.startsWith(`ws://localhost:${emu.port}/client/hubs/chat?access_token=`), url);
    const claims = payloadOf(url);
    assert.equal(claims.sub, "alice");
    assert.deepEqual(claims.role, ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup.g"]);
    assert.deepEqual(claims["webpubsub.group"], ["g"]);
    assert.equal((claims.exp as number) - (claims.iat as number), 300);
    const c = await connect(url);
    open.push(c.ws);
  });

  it("prints the whole result with --json and honours --protocol", async () => {
    const result = await run(["token", "--json", "--protocol", "mqtt"], env);
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ["baseUrl", "expiresOn", "token", "url"]);
    assert.equal(body.baseUrl, `ws://localhost:${emu.port}/clients/mqtt/hubs/chat`);
    assert.ok(!Number.isNaN(Date.parse(body.expiresOn!)));
  });

  it("takes --connection-string and --hub over the environment", async () => {
    const result = await run(["token", "--connection-string", emu.connectionString, "--hub", "other"], { AZURE_WEBPUBSUB_HUB: "chat" });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\/client\/hubs\/other\?access_token=/);
  });

  it("names every missing setting at once, exit code 2", async () => {
    const result = await run(["token"], {});
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing --connection-string \(or AZURE_WEBPUBSUB_CONNECTION_STRING\) and --hub \(or AZURE_WEBPUBSUB_HUB\)/);
  });

  it("refuses a bad --expires-in and --protocol before minting", async () => {
    assert.equal((await run(["token", "--expires-in", "0"], env)).code, 2);
    const bad = await run(["token", "--protocol", "grpc"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--protocol must be one of default, mqtt, socketio/);
  });

  it("sends text to a group", async () => {
    const member = await client(["--group", "room"]);
    const result = await run(["send", "--group", "room", "hello there"], env);
    assert.equal(result.code, 0, result.stderr);
    const got = await member.next();
    assert.equal(got.binary, false);
    assert.equal(got.data.toString("utf8"), "hello there");
  });

  it("sends checked JSON to a user and refuses invalid JSON without sending", async () => {
    const alice = await client(["--user", "alice"]);
    const bad = await run(["send", "--user", "alice", "--content-type", "json", "{oops"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not valid JSON/);
    const good = await run(["send", "--user", "alice", "--content-type", "json", '{"a":1}'], env);
    assert.equal(good.code, 0, good.stderr);
    const got = await alice.next();
    assert.deepEqual(JSON.parse(got.data.toString("utf8")), { a: 1 });
  });

  it("sends a file's bytes as binary to all", async () => {
    const anyone = await client([]);
    const file = join(dir, "blob.bin");
    writeFileSync(file, Uint8Array.from([0, 1, 2, 255]));
    const result = await run(["send", "--all", "--file", file], env);
    assert.equal(result.code, 0, result.stderr);
    const got = await anyone.next();
    assert.equal(got.binary, true);
    assert.deepEqual([...got.data], [0, 1, 2, 255]);
  });

  it("reads standard input with -", async () => {
    const anyone = await client(["--user", "stdin-user"]);
    async function* stdin() {
      yield "from ";
      yield new TextEncoder().encode("stdin");
    }
    const result = await run(["send", "--user", "stdin-user", "-"], env, { stdin: stdin() });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await anyone.next()).data.toString("utf8"), "from stdin");
  });

  it("applies --filter", async () => {
    const alice = await client(["--user", "alice", "--group", "f"]);
    const bob = await client(["--user", "bob", "--group", "f"]);
    const result = await run(["send", "--group", "f", "--filter", "userId eq 'bob'", "only bob"], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await bob.next()).data.toString("utf8"), "only bob");
    // Messages to one connection arrive in order: alice's first is the unfiltered one.
    assert.equal((await run(["send", "--group", "f", "everyone"], env)).code, 0);
    assert.equal((await alice.next()).data.toString("utf8"), "everyone");
  });

  it("needs exactly one target and one message", async () => {
    assert.match((await run(["send", "hi"], env)).stderr, /choose exactly one target/);
    assert.match((await run(["send", "--all", "--group", "g", "hi"], env)).stderr, /choose exactly one target/);
    assert.match((await run(["send", "--all"], env)).stderr, /missing message/);
    assert.match((await run(["send", "--connection", "c", "--filter", "userId eq 'a'", "hi"], env)).stderr, /--filter cannot be used with --connection/);
    assert.equal((await run(["send", "--all", "--file", join(dir, "nope")], env)).code, 2);
  });

  it("reports a service refusal in one line, exit code 1, with no key in it", async () => {
    const result = await run(["send", "--all", "--filter", "userId eq", "x"], env);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split("\n").length, 1);
    assert.match(result.stderr, /HTTP 400/);
    const key = /AccessKey=([^;]+)/.exec(emu.connectionString)![1]!;
    assert.ok(!result.stderr.includes(key));
  });
});

describe("webpubsub listen against the emulator", () => {
  let emu: Emulator;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    emu = await startEmulator({ port: 0 });
    env = { AZURE_WEBPUBSUB_CONNECTION_STRING: emu.connectionString, AZURE_WEBPUBSUB_HUB: "chat" };
  });
  after(() => emu.close());

  /** Starts `listen` in-process; resolves once it is connected, with a way to stop it. */
  async function listen(args: string[]) {
    const stdout = new Sink();
    const stderr = new Sink();
    const controller = new AbortController();
    const done = main(["listen", ...args], { stdout, stderr, env, signal: controller.signal, processSignals: false });
    const deadline = Date.now() + 10_000;
    while (!stderr.text.includes("connected to hub")) {
      if (Date.now() > deadline) throw new Error(`listen did not connect: ${stderr.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { stdout, stderr, stop: async () => (controller.abort(), done) };
  }

  async function lines(sink: Sink, count: number): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    while (sink.text.split("\n").filter(Boolean).length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} lines, got: ${sink.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return sink.text.split("\n").filter(Boolean);
  }

  it("prints group and server messages of each type as they arrive, and exits 0 when stopped", async () => {
    const l = await listen(["--group", "room", "--user", "carol"]);
    assert.match(l.stderr.text, /connected to hub 'chat' as user 'carol' \(connection [^)]+\) in 'room'/);
    assert.equal((await run(["send", "--group", "room", "hi room"], env)).code, 0);
    assert.equal((await run(["send", "--user", "carol", "--content-type", "json", '{"n":1}'], env)).code, 0);
    assert.equal((await run(["send", "--all", "--content-type", "binary", "AB"], env)).code, 0);
    const got = await lines(l.stdout, 3);
    assert.deepEqual(got, ["[group room] text: hi room", '[server] json: {"n":1}', "[server] binary: <2 bytes> QUI"]);
    assert.equal(await l.stop(), 0);
  });

  it("prints JSON lines with --json", async () => {
    const l = await listen(["--group", "g2", "--json"]);
    assert.equal((await run(["send", "--group", "g2", "--content-type", "binary", "AB"], env)).code, 0);
    const [line] = await lines(l.stdout, 1);
    assert.deepEqual(JSON.parse(line!), { from: "group", group: "g2", fromUserId: null, dataType: "binary", data: "QUI" });
    assert.equal(await l.stop(), 0);
  });

  it("fails with exit code 1 and one line when it cannot connect", async () => {
    const stderr = new Sink();
    const code = await main(["listen", "--connection-string", "Endpoint=http://127.0.0.1:9;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;", "--hub", "chat"], {
      stdout: new Sink(),
      stderr,
      env: {},
      processSignals: false,
    });
    assert.equal(code, 1);
    assert.match(stderr.text, /^webpubsub listen: .+\n$/);
    assert.ok(!stderr.text.includes("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH"));
  });
});
