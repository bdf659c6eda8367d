// Benchmark report (not a test): token minting and sendToAll throughput, ours vs
// @azure/web-pubsub 1.2.0 vs the floor (raw HMAC; bare undici POSTs), plus bare node:http for
// reference. The HTTP sink runs in its own process (bench/sink.mjs), so this process's CPU is the
// clients' alone; contestants alternate in interleaved rounds so drift on a shared machine hits
// all of them alike, and each cell reports the median round plus client CPU per call.
// Placement: by default this process and the sink are pinned to one CPU together (`--cpus=same`).
// One call at a time is a round trip between the two processes; on separate CPUs of a virtual
// machine each one ends by waking an idle CPU, which here cost about 60 µs of the client's CPU
// per call and doubled the latency, for every contestant alike. That hides what the client
// costs, so the default keeps both on one CPU; `--cpus=separate` and `--cpus=none` show the rest.
// Run: npm run bench -- serviceClient [--profile] [--sink=raw|http] [--cpus=same|separate|none]
// (or npx tsx bench/serviceClient.ts with the same flags).
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { createHmac } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { Agent, request } from "undici";
import { DEFAULT_API_VERSION, WebPubSubServiceClient } from "../src/index.js";
import { profile } from "./profile.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const HUB = "bench";
const here = fileURLToPath(new URL(".", import.meta.url));

/** One row of the report: operations per second (median round) and client CPU µs per call. */
export interface BenchRow {
  name: string;
  ours: number;
  official: number;
  floor: number;
  nodeHttp?: number;
  cpu: { ours: number; official: number; floor: number; nodeHttp?: number };
}

/** Which sink answers: a minimal raw HTTP/1.1 responder (default) or node:http's server. */
export type SinkKind = "raw" | "http";

/**
 * Where the two processes run. "same": this process and the sink pinned to CPU 0 together;
 * "separate": this process on CPU 0, the sink on CPU 1; "none": wherever the OS puts them.
 * Pinning needs Linux's `taskset`; without it the run says so and is not pinned.
 */
export type CpuPlacement = "same" | "separate" | "none";

const TASKSET = "/usr/bin/taskset";

/** Pins every thread of this process to `cpu` (threads made later inherit it); returns the undo. */
function pinSelf(cpu: number): () => void {
  // "pid N's current affinity mask: 3"
  const mask = /mask:\s*([0-9a-f]+)/i.exec(execFileSync(TASKSET, ["-p", String(process.pid)], { encoding: "utf8" }))?.[1];
  execFileSync(TASKSET, ["-a", "-cp", String(cpu), String(process.pid)], { stdio: "ignore" });
  return () => {
    // The other benchmarks in this process (worker threads among them) get every CPU back.
    if (mask) execFileSync(TASKSET, ["-a", "-p", mask, String(process.pid)], { stdio: "ignore" });
  };
}

async function startSink(kind: SinkKind, cpu: number | undefined): Promise<{ child: ChildProcess; port: number }> {
  // taskset starts node on the chosen CPU with the IPC channel fork() set up inherited.
  const pinned = cpu === undefined ? {} : { execPath: TASKSET, execArgv: ["-c", String(cpu), process.execPath] };
  const child = fork(join(here, "sink.mjs"), [kind], {
    ...pinned, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m) => resolve((m as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return { child, port };
}

interface Sample {
  rate: number;
  cpuUs: number;
}

/** Runs `op` with `concurrency` in flight for `ms`; returns calls/s and this process's CPU µs per call. */
async function measure(op: () => Promise<unknown> | unknown, concurrency: number, ms: number): Promise<Sample> {
  let count = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = Date.now() + ms;
  async function worker(): Promise<void> {
    while (Date.now() < end) {
      await op();
      count++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: count / seconds, cpuUs: (used.user + used.system) / count };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Interleaved rounds: every contestant runs once per round, in a rotating order, for
 * `ms / rounds` each; the median round is reported.
 */
async function compare<K extends string>(ops: Record<K, () => Promise<unknown> | unknown>, concurrency: number, ms: number, rounds: number): Promise<Record<K, Sample>> {
  const names = Object.keys(ops) as K[];
  for (const name of names) await measure(ops[name], concurrency, Math.min(300, ms / 4)); // warm-up: JIT, sockets
  const samples = Object.fromEntries(names.map((n) => [n, [] as Sample[]])) as Record<K, Sample[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      samples[name].push(await measure(ops[name], concurrency, ms / rounds));
    }
  }
  return Object.fromEntries(names.map((n) => [n, { rate: median(samples[n].map((s) => s.rate)), cpuUs: median(samples[n].map((s) => s.cpuUs)) }])) as Record<K, Sample>;
}

function hmacFloor(endpoint: string): () => string {
  const head = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
  const aud = `${endpoint.replace(/^http/, "ws")}/client/hubs/${HUB}`;
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const body = `${head}.${Buffer.from(`{"sub":"u","aud":"${aud}","iat":${now},"exp":${now + 3600}}`).toString("base64url")}`;
    return `${body}.${createHmac("sha256", KEY).update(body).digest("base64url")}`;
  };
}

/** Runs every measurement and prints a table; returns the rows. `profile` also writes a CPU profile of the send path. */
export async function run(options: { ms?: number; rounds?: number; profile?: boolean; sink?: SinkKind | undefined; cpus?: CpuPlacement | undefined } = {}): Promise<BenchRow[]> {
  const ms = options.ms ?? 5000;
  const rounds = options.rounds ?? 5;
  const sink = options.sink ?? "raw";
  let cpus = options.cpus ?? "same";
  if (cpus !== "none" && (process.platform !== "linux" || !existsSync(TASKSET) || (cpus === "separate" && availableParallelism() < 2))) {
    console.log(`(not pinned: ${cpus === "separate" ? "needs Linux's taskset and two CPUs" : "needs Linux's taskset"})`);
    cpus = "none";
  }
  const unpin = cpus !== "none" ? pinSelf(0) : () => {};
  const { child, port } = await startSink(sink, cpus === "same" ? 0 : cpus === "separate" ? 1 : undefined).catch((e: unknown) => {
    unpin();
    throw e;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const connectionString = `Endpoint=${endpoint};AccessKey=${KEY};Version=1.0;`;
  const ours = new WebPubSubServiceClient(connectionString, HUB, { retryOptions: { maxRetries: 0 } });
  const official = new Official(connectionString, HUB, { retryOptions: { maxRetries: 0 }, allowInsecureConnection: true });
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  const path = `/api/hubs/${HUB}/:send?api-version=${DEFAULT_API_VERSION}`;
  const url = `${endpoint}${path}`;
  const undiciPost = async () => {
    const res = await request(url, { method: "POST", dispatcher, headers: { "content-type": "text/plain", authorization: "Bearer x" }, body: "hello" });
    await res.body.dump();
  };
  const nodeHttpPost = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "text/plain", authorization: "Bearer x", "content-length": "5" } }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end("hello");
    });
  const sends = {
    ours: () => ours.sendToAll("hello"),
    official: () => official.sendToAll("hello", { contentType: "text/plain" }),
    floor: undiciPost,
    nodeHttp: nodeHttpPost,
  };
  const rows: BenchRow[] = [];
  const transport = await transportOf(() => ours.sendToAll("hello"));
  let profiled: Awaited<ReturnType<typeof profile>> | undefined;
  try {
    const hmac = hmacFloor(endpoint);
    const tokens = await compare(
      { ours: () => ours.getClientAccessToken({ userId: "u" }), official: () => official.getClientAccessToken({ userId: "u" }), floor: async () => hmac() },
      1,
      ms,
      rounds,
    );
    rows.push(row("client tokens / s", tokens));
    rows.push(row("sendToAll / s, sequential", await compare(sends, 1, ms, rounds)));
    rows.push(row("sendToAll / s, 64 in flight", await compare(sends, 64, ms, rounds)));
    if (options.profile) {
      profiled = await profile("sendToAll-64-in-flight", join(here, "results"), async () => {
        let calls = 0;
        const end = Date.now() + ms;
        await Promise.all(
          Array.from({ length: 64 }, async () => {
            while (Date.now() < end) {
              await ours.sendToAll("hello");
              calls++;
            }
          }),
        );
        return calls;
      });
    }
  } finally {
    await ours.close();
    await dispatcher.close();
    agent.destroy();
    child.disconnect();
    unpin();
  }
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);
  const us = (n: number | undefined) => (n === undefined ? "".padStart(9) : n.toFixed(1).padStart(9));
  console.log(`\nwebpubsub-service benchmark (Node ${process.version}, ${ms} ms per contestant per cell in ${rounds} interleaved rounds, sink in its own process answering 202: ${sink === "raw" ? "a minimal raw HTTP/1.1 responder" : "node:http's server"}; ${PLACEMENT[cpus]})\n`);
  console.log(`${"".padEnd(28)}${"ours".padStart(10)}${"official".padStart(10)}${"floor".padStart(10)}${"node:http".padStart(10)}   ours/official  ours/floor`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(28)}${fmt(r.ours)}${fmt(r.official)}${fmt(r.floor)}${r.nodeHttp === undefined ? "".padStart(10) : fmt(r.nodeHttp)}   ${(r.ours / r.official).toFixed(2).padStart(13)}  ${(r.ours / r.floor).toFixed(2).padStart(10)}`);
  }
  console.log(`\nclient CPU µs per call       ${"ours".padStart(9)}${"official".padStart(9)}${"floor".padStart(9)}${"node:http".padStart(10)}`);
  for (const r of rows) console.log(`${r.name.padEnd(28)}${us(r.cpu.ours)}${us(r.cpu.official)}${us(r.cpu.floor)} ${us(r.cpu.nodeHttp)}`);
  console.log(`\nours sent through ${transport} (undici unless node:http is intercepted).`);
  console.log("floor: raw node:crypto HMAC JWT (tokens); bare undici request() POSTs with a 64-connection pool (sends). node:http: bare http.request with a keep-alive agent.");
  if (profiled) {
    console.log(`\nCPU profile of ours, sendToAll 64 in flight: ${profiled.file} (${profiled.calls} calls, ${profiled.cpuUsPerCall.toFixed(1)} µs CPU per call)`);
    console.log("  share of the busy samples, and that share of the measured CPU per call:");
    const entries = [...profiled.breakdown].filter(([name]) => name !== "idle / VM" && name !== "bench harness").sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((sum, [, v]) => sum + v, 0);
    for (const [name, v] of entries) {
      console.log(`  ${name.padEnd(50)}${((100 * v) / total).toFixed(1).padStart(5)} %${((v / total) * profiled.cpuUsPerCall).toFixed(1).padStart(8)} µs`);
    }
  }
  return rows;
}

/** Which transport one call of `op` used, from undici's and node:http's own diagnostics channels. */
async function transportOf(op: () => Promise<unknown>): Promise<string> {
  const seen = new Set<string>();
  const onUndici = () => void seen.add("undici");
  const onHttp = () => void seen.add("node:http");
  subscribe("undici:request:create", onUndici);
  subscribe("http.client.request.start", onHttp);
  try {
    await op();
  } finally {
    unsubscribe("undici:request:create", onUndici);
    unsubscribe("http.client.request.start", onHttp);
  }
  return [...seen].join(" and ") || "an unknown transport";
}

function row(name: string, s: Record<"ours" | "official" | "floor", Sample> & { nodeHttp?: Sample }): BenchRow {
  return {
    name,
    ours: s.ours.rate,
    official: s.official.rate,
    floor: s.floor.rate,
    ...(s.nodeHttp && { nodeHttp: s.nodeHttp.rate }),
    cpu: { ours: s.ours.cpuUs, official: s.official.cpuUs, floor: s.floor.cpuUs, ...(s.nodeHttp && { nodeHttp: s.nodeHttp.cpuUs }) },
  };
}

const PLACEMENT: Record<CpuPlacement, string> = {
  same: "this process and the sink pinned to CPU 0 together",
  separate: "this process on CPU 0, the sink on CPU 1",
  none: "not pinned",
};

/** The value of `--name=value` in `args`, if given; one of `known` or an error naming them. */
function choiceArg<T extends string>(args: readonly string[], name: string, known: readonly T[]): T | undefined {
  const prefix = `--${name}=`;
  const arg = args.find((a) => a.startsWith(prefix));
  if (arg === undefined) return undefined;
  const value = arg.slice(prefix.length);
  if (!(known as readonly string[]).includes(value)) throw new Error(`unknown ${name} '${value}'; known: ${known.join(", ")}`);
  return value as T;
}

/** The `--cpus=same|separate|none` argument, if given. */
export function cpusArg(args: readonly string[]): CpuPlacement | undefined {
  return choiceArg<CpuPlacement>(args, "cpus", ["same", "separate", "none"]);
}

/** The `--sink=raw|http` argument, if given. */
export function sinkArg(args: readonly string[]): SinkKind | undefined {
  return choiceArg<SinkKind>(args, "sink", ["raw", "http"]);
}

// Run directly: `npx tsx bench/serviceClient.ts [--profile] [--sink=raw|http] [--cpus=same|separate|none]`.
if (process.argv[1] && /bench[\\/]serviceClient\.ts$/.test(process.argv[1])) {
  run({ profile: process.argv.includes("--profile"), sink: sinkArg(process.argv), cpus: cpusArg(process.argv) }).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
