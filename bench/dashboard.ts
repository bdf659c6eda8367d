// Benchmark report (not a test): what the live dashboard costs the emulator. 1,000 raw
// clients get a steady stream of REST broadcasts; the fan-out rate of an emulator without
// the dashboard is compared with one whose dashboard records everything and streams it to
// one open SSE client, in interleaved rounds (the machine may be shared). Then, under the
// same load, the dashboard's responsiveness: GET /_dashboard/api/state latency and the delay
// of SSE `events` batches (event time to arrival at the reader).
// Run: npx tsx bench/index.ts dashboard   (or npx tsx bench/dashboard.ts).
import { Worker } from "node:worker_threads";
import { agent, Clients, emulatorTarget, sendAll, type Target } from "./emulatorFanout.js";

const CLIENTS = 1000;
const MESSAGES = 100; // per round: 100,000 deliveries
const ROUNDS = 8; // per configuration, interleaved in pairs

// The dashboard reader, as plain CommonJS in its own thread (a browser is another process;
// reading in the emulator's thread would charge the reader's work to the emulator).
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

class Reader {
  private readonly worker: Worker;
  constructor(dashboardUrl: string) {
    this.worker = new Worker(READER_WORKER, { eval: true, workerData: { url: dashboardUrl } });
    this.worker.on("error", (err) => {
      console.error("dashboard reader failed:", err);
      process.exit(1);
    });
  }
  ask<T>(msg: object): Promise<T> {
    return new Promise((resolve) => {
      this.worker.once("message", resolve);
      this.worker.postMessage(msg);
    });
  }
  async close(): Promise<void> {
    await this.ask({ cmd: "close" });
    await this.worker.terminate();
  }
}

interface Setup {
  name: string;
  target: Target;
  clients: Clients;
}

/** Sends MESSAGES broadcasts to CLIENTS clients; returns deliveries per second. */
async function round(setup: Setup): Promise<number> {
  const total = CLIENTS * MESSAGES;
  const result = await setup.clients.expect(total);
  const firstSend = await sendAll(MESSAGES, (b) => sendRetrying(setup.target, b));
  const r = await result.done;
  if (r.received !== total) throw new Error(`${setup.name}: ${total - r.received} deliveries lost`);
  return r.received / ((r.last - firstSend) / 1000);
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
export async function run(): Promise<{ ratio: number }> {
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
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so a drift in machine load hits both alike.
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const k of order) rates[k]!.push(await round(setups[k]!));
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
    return { ratio };
  } finally {
    await reader?.close();
    for (const s of setups) {
      await s.clients.close();
      await s.clients.terminate();
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
