// Benchmark report (not a test): what the live dashboard costs the emulator. 1,000 raw
// clients get a steady stream of REST broadcasts; the fan-out rate of an emulator without
// the dashboard is compared with one whose dashboard records everything and streams it to
// one open SSE client, in interleaved rounds (the machine may be shared). Then, under the
// same load, the dashboard's responsiveness: GET /_dashboard/api/state latency and the delay
// of SSE `events` batches (event time to arrival at the reader).
// Run: npx tsx bench/index.ts dashboard   (or npx tsx bench/dashboard.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { agent, CLIENT_WORKER, emulatorTarget, require_resolve, sendAll, type Target } from "./emulatorFanout.js";

const CLIENTS = 1000;
const MESSAGES = 100; // per round: 100,000 deliveries
const ROUNDS = 8; // per configuration, interleaved in pairs

// The dashboard reader, as plain CommonJS in its own process (as a browser is).
const READER_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
let delays = [];
let batches = 0, entries = 0, dropped = 0;
let buffer = "";
const req = http.get(workerData.url + "/api/events", (res) => {
  res.setEncoding("utf8");
  res.on("data", (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\\n\\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!block.startsWith("event: events")) continue;
      const now = Date.now();
      const list = JSON.parse(block.slice(block.indexOf("data: ") + 6));
      batches++;
      for (const e of list) {
        entries++;
        if (e.type === "dropped") dropped += e.count;
        delays.push(now - e.time);
      }
    }
  });
});
req.on("error", () => {});
function getState() {
  return new Promise((resolve) => {
    const t = performance.now();
    http.get(workerData.url + "/api/state", (res) => {
      let size = 0;
      res.on("data", (c) => (size += c.length));
      res.on("end", () => resolve({ ms: performance.now() - t, size, status: res.statusCode }));
    }).on("error", () => resolve({ ms: NaN, size: 0, status: 0 }));
  });
}
parentPort.on("message", async (msg) => {
  if (msg.cmd === "reset") {
    delays = []; batches = 0; entries = 0; dropped = 0;
    parentPort.postMessage({ ok: true });
  } else if (msg.cmd === "stats") {
    parentPort.postMessage({ delays, batches, entries, dropped });
  } else if (msg.cmd === "state") {
    const out = [];
    const end = Date.now() + msg.forMs;
    while (Date.now() < end && out.length < 200) {
      out.push(await getState());
      await new Promise((r) => setTimeout(r, msg.everyMs));
    }
    parentPort.postMessage(out);
  } else if (msg.cmd === "close") {
    req.destroy();
    parentPort.postMessage({ ok: true });
  }
});
`;

// Runs worker-thread code (parentPort, workerData) in a child process over IPC.
function childWith(code: string, data: unknown): ChildProcess {
  const shim = `const parentPort = { on: (e, f) => process.on(e, f), once: (e, f) => process.once(e, f), postMessage: (m) => process.send(m) };
const workerData = JSON.parse(process.env.BENCH_WORKER_DATA);
${code.replace(/const \{ parentPort, workerData \} = require\("node:worker_threads"\);/, "")}`;
  const child = spawn(process.execPath, ["-e", shim], { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, BENCH_WORKER_DATA: JSON.stringify(data) } });
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGKILL") {
      console.error(`bench child exited with ${code ?? signal}`);
      process.exit(1);
    }
  });
  return child;
}

function ask<T>(child: ChildProcess, msg: object): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (m) => resolve(m as T));
    child.send(msg);
  });
}

/** 1,000 raw clients in a child process (the fan-out bench's client code). */
class Clients {
  private readonly child = childWith(CLIENT_WORKER, { wsPath: require_resolve("ws") });
  connect(url: string, n: number): Promise<unknown> {
    return ask(this.child, { cmd: "connect", url, n });
  }
  async expect(total: number): Promise<{ done: Promise<{ received: number; first: number; last: number }> }> {
    await ask(this.child, { cmd: "expect", total, timeoutMs: 60_000 });
    return { done: new Promise((resolve) => this.child.once("message", (m) => resolve(m as { received: number; first: number; last: number }))) };
  }
  async close(): Promise<void> {
    await ask(this.child, { cmd: "close" });
    this.child.kill();
  }
}

class Reader {
  private readonly child: ChildProcess;
  constructor(dashboardUrl: string) {
    this.child = childWith(READER_WORKER, { url: dashboardUrl });
  }
  ask<T>(msg: object): Promise<T> {
    return ask<T>(this.child, msg);
  }
  async close(): Promise<void> {
    await this.ask({ cmd: "close" });
    this.child.kill();
  }
}

interface Setup {
  name: string;
  target: Target;
  clients: Clients;
}

/** One round's figures. */
interface Round {
  perSecond: number;
  /** This process's CPU time (user + system) per delivery, in microseconds. */
  cpuMicros: number;
}

/** Sends MESSAGES broadcasts to CLIENTS clients; returns deliveries per second and CPU per delivery. */
async function round(setup: Setup): Promise<Round> {
  const total = CLIENTS * MESSAGES;
  const result = await setup.clients.expect(total);
  const cpu = process.cpuUsage();
  const firstSend = await sendAll(MESSAGES, (b) => sendRetrying(setup.target, b));
  const r = await result.done;
  const used = process.cpuUsage(cpu);
  if (r.received !== total) throw new Error(`${setup.name}: ${total - r.received} deliveries lost`);
  return { perSecond: r.received / ((r.last - firstSend) / 1000), cpuMicros: (used.user + used.system) / total };
}

// A keep-alive socket that sat idle while the other emulator was measured may have been
// closed by the server (5 s keep-alive timeout) just as the agent reuses it: send again.
async function sendRetrying(target: Target, body: string): Promise<number> {
  try {
    return await target.send(body);
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ECONNRESET") throw err;
    return target.send(body);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
const num = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "-");

/** Runs the interleaved rounds and the responsiveness phase, prints the report, returns the ratio. */
export async function run(): Promise<{ ratio: number; cpuRatio: number }> {
  const plain = await emulatorTarget({ dashboard: false });
  const watched = await emulatorTarget({});
  const setups: Setup[] = [
    { name: "no dashboard", target: plain, clients: new Clients() },
    { name: "dashboard + 1 SSE client", target: watched, clients: new Clients() },
  ];
  let reader: Reader | undefined;
  try {
    for (const s of setups) await s.clients.connect(s.target.clientUrl, CLIENTS);
    reader = new Reader(watched.emulator.dashboardUrl!);
    // Warm-up: one round each, not counted (JIT, socket buffers).
    for (const s of setups) await round(s);
    await reader.ask({ cmd: "reset" });
    const rates: number[][] = setups.map(() => []);
    const cpus: number[][] = setups.map(() => []);
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so a drift in machine load hits both alike.
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) {
        const r = await round(setups[k]!);
        rates[k]!.push(r.perSecond);
        cpus[k]!.push(r.cpuMicros);
      }
    }
    const sse = await reader.ask<{ delays: number[]; batches: number; entries: number; dropped: number }>({ cmd: "stats" });

    // Responsiveness: state requests every 100 ms while one more stream of broadcasts runs.
    await reader.ask({ cmd: "reset" });
    const polling = reader.ask<{ ms: number; size: number; status: number }[]>({ cmd: "state", forMs: 1500, everyMs: 100 });
    const loaded = round(setups[1]!);
    const states = await polling;
    await loaded;
    const sseLoaded = await reader.ask<{ delays: number[] }>({ cmd: "stats" });

    const [off, on] = rates.map(median) as [number, number];
    // Each pair ran back to back, so its ratio is what a shared machine disturbs least.
    const pairRatios = rates[0]!.map((r, i) => rates[1]![i]! / r);
    const ratio = median(pairRatios);
    console.log(`\nDashboard cost (Node ${process.version}, ${CLIENTS} raw clients, ${MESSAGES} broadcasts per round, ${ROUNDS} interleaved rounds each, loopback)\n`);
    for (const [k, s] of setups.entries()) {
      console.log(`  ${s.name.padEnd(26)} deliveries/s median ${num(median(rates[k]!)).padStart(9)}   rounds: ${rates[k]!.map((r) => num(r)).join(", ")}`);
    }
    console.log(`  with dashboard / without, median of the ${ROUNDS} paired ratios: ${ratio.toFixed(3)}x (fan-out rate drop ${((1 - ratio) * 100).toFixed(1)}%; target: under 10%)`);
    console.log(`  paired ratios: ${pairRatios.map((r) => r.toFixed(2)).join(", ")}; ratio of the medians: ${(on / off).toFixed(3)}x`);
    const [cpuOff, cpuOn] = cpus.map(median) as [number, number];
    console.log(
      `  emulator CPU per delivery (user+system of this process; clients and reader run elsewhere): ` +
        `without ${cpuOff.toFixed(2)} us, with ${cpuOn.toFixed(2)} us -> capacity ratio ${(cpuOff / cpuOn).toFixed(3)}x ` +
        `(rounds without: ${cpus[0]!.map((c) => c.toFixed(2)).join(", ")}; with: ${cpus[1]!.map((c) => c.toFixed(2)).join(", ")})`,
    );
    console.log(
      `\n  SSE during the rounds: ${num(sse.batches)} batches, ${num(sse.entries)} entries, ${num(sse.dropped)} frame events sampled out; ` +
        `delay event->reader p50 ${num(pct(sse.delays, 0.5))} ms, p99 ${num(pct(sse.delays, 0.99))} ms`,
    );
    const okStates = states.filter((s) => s.status === 200);
    console.log(
      `  GET /_dashboard/api/state under load: ${okStates.length}/${states.length} ok, p50 ${num(pct(okStates.map((s) => s.ms), 0.5), 1)} ms, ` +
        `p99 ${num(pct(okStates.map((s) => s.ms), 0.99), 1)} ms, ${num((okStates[0]?.size ?? 0) / 1024)} KiB; ` +
        `SSE delay meanwhile p50 ${num(pct(sseLoaded.delays, 0.5))} ms, p99 ${num(pct(sseLoaded.delays, 0.99))} ms`,
    );
    return { ratio, cpuRatio: cpuOff / cpuOn };
  } finally {
    await reader?.close();
    for (const s of setups) {
      await s.clients.close();
      await s.target.close();
    }
    agent.destroy();
  }
}

// Run directly: `npx tsx bench/dashboard.ts`.
if (process.argv[1] && /bench[\\/]dashboard\.ts$/.test(process.argv[1])) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
