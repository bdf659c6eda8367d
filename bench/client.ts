// Benchmark report (not a test) of the WebSocket client, against the same emulator, side by
// side with @azure/web-pubsub-client and a bare `ws` socket that only parses frames:
//  - messages received per second by one client (json and reliable), with messages lost; the
//    publisher keeps at most 300 messages ahead of what the receiver handled;
//  - acknowledged sendToGroup per second with 64 in flight (the floor corks its socket per
//    tick as ours does, so it is the best a client can do against this emulator);
//  - browser bundle size, minified and gzipped (esbuild, the same settings for both), for
//    our production and development browser files;
//  - heap per connected idle client.
// Receivers and senders run in a worker thread (bench/clientWorker.ts) so the emulator's work
// is not counted against them; each thread's busy time per message (event-loop utilisation)
// is printed too, the steadier figure on a shared machine. Contestants alternate in rounds
// whose order rotates, and each figure is the median round.
// Run: npx tsx bench/index.ts client (CLIENT_BENCH=receive,acked,bundle,memory for some parts).
import { gzipSync } from "node:zlib";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import { WebSocket } from "ws";
import * as official from "@azure/web-pubsub-client";
import { signJwtSync } from "../src/core/index.js";
import {
  DEFAULT_ACCESS_KEY,
  startEmulator,
  type Emulator,
} from "../src/emulator/index.js";
import * as ours from "../src/client/index.js";
import { bundleClient } from "../scripts/browserBundle.mjs";
import type {
  AckedJob,
  AckedResult,
  Kind,
  MemoryJob,
  Protocol,
  ReceiveJob,
  ReceiveResult,
} from "./clientWorker.js";

const HUB = "bench";
const RECEIVE_TOTAL = 20_000;
// Rounds alternate the contestants (the order rotates each round) and each figure is the
// median round: on a shared machine one run, or the best one, says little.
const ROUNDS = Number(process.env["CLIENT_BENCH_ROUNDS"] ?? 5);
const ACKED_TOTAL = 30_000;
const IN_FLIGHT = 64;
const MEMORY_CLIENTS = 200;
// Messages the publisher may be ahead of the receiver: far enough below the service's 1,000-unacked
// limit that an ack delayed by a busy machine still arrives in time (a client acking every 100
// plus the window plus what arrives while its ack travels must stay under 1,000).
const WINDOW = 300;
const KINDS: Kind[] = ["ours", "official", "bare ws"];
const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

function url(emu: Emulator, roles = ROLES): string {
  const now = Math.floor(Date.now() / 1000);
  const aud = `http://127.0.0.1:${emu.port}/client/hubs/${HUB}`;
  return `ws://127.0.0.1:${emu.port}/client/hubs/${HUB}?access_token=${signJwtSync({ aud, iat: now, exp: now + 3600, role: roles }, DEFAULT_ACCESS_KEY)}`;
}

/**
 * Busy time of this thread (the emulator's) between a worker's `measuring` and `measured`
 * messages: event-loop utilisation, and where Linux tells it, the time the thread really ran
 * (a busy machine preempts a thread in the middle of a callback, which ELU counts as busy).
 */
interface EmulatorBusy {
  ms: number;
  cpuMs?: number;
}

/** Nanoseconds this thread has run on a CPU (Linux schedstat); undefined elsewhere. */
function threadCpuNs(): number | undefined {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
  } catch {
    return undefined;
  }
}

function runWorker<T>(
  job: ReceiveJob | AckedJob | MemoryJob,
  onReady?: () => Promise<void>,
  emulatorBusy?: EmulatorBusy,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // tsx runs the main thread only: the worker registers its loader before importing TypeScript.
    const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(new URL("./clientWorker.ts", import.meta.url).href)}); });`;
    const worker = new Worker(boot, { eval: true, workerData: job });
    let elu: EventLoopUtilization | undefined;
    let cpuNs: number | undefined;
    worker.on("message", (msg: { ready?: boolean; measuring?: boolean; measured?: boolean; result?: T }) => {
      if (msg.ready && onReady) onReady().catch(reject);
      // A receive job measures from `ready`; an acked job from `measuring`, after its warm-up.
      if (msg.ready || msg.measuring) ((elu = performance.eventLoopUtilization()), (cpuNs = threadCpuNs()));
      if (msg.measured && elu && emulatorBusy) {
        emulatorBusy.ms = performance.eventLoopUtilization(elu).active;
        const now = threadCpuNs();
        if (now !== undefined && cpuNs !== undefined) emulatorBusy.cpuMs = (now - cpuNs) / 1e6;
      }
      if (msg.result !== undefined) {
        resolve(msg.result);
        void worker.terminate();
      }
    });
    worker.on("error", reject);
  });
}

/**
 * Publishes `total` json messages {i} to `group` from a bare JSON socket. At most WINDOW
 * messages are ahead of what the receiver has handled: a receiver that acks what it handled
 * keeps the service's 1,000-unacked limit out of reach; one that acks by the clock does not.
 */
async function publish(
  emu: Emulator,
  group: string,
  total: number,
  progress: SharedArrayBuffer,
  receiver: { done: boolean },
): Promise<void> {
  const handled = new Int32Array(progress);
  const ws = new WebSocket(url(emu), "json.webpubsub.azure.v1", {
    perMessageDeflate: false,
  });
  await new Promise((resolve, reject) =>
    ws.once("open", resolve).once("error", reject),
  );
  for (let i = 0; i < total; ) {
    // A receiver the service cut off stops counting: after 2 s without progress, stop pacing.
    let seen = Atomics.load(handled, 0);
    let since = performance.now();
    // Once the receiver has finished (a cut-off one gives up after 3 s idle), publishing on
    // would only spin this thread, which is the emulator's, through the next rounds.
    if (receiver.done) break;
    while (i - seen > WINDOW && performance.now() - since < 2000 && !receiver.done) {
      await new Promise((r) => setImmediate(r));
      const now = Atomics.load(handled, 0);
      if (now !== seen) ((seen = now), (since = performance.now()));
    }
    for (const end = Math.min(total, i + 100); i < end; i++)
      ws.send(
        `{"type":"sendToGroup","group":"${group}","dataType":"json","data":{"i":${i}}}`,
      );
    while (ws.bufferedAmount > 256 * 1024)
      await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setImmediate(r));
  }
  // A final acked request: when its ack arrives, every message before it was fanned out.
  if (!receiver.done) await new Promise<void>((resolve) => {
    ws.on("message", (m) => String(m).includes('"ack"') && resolve());
    ws.send(`{"type":"joinGroup","group":"done","ackId":1}`);
  });
  ws.close();
}

async function receiveRates(emu: Emulator): Promise<void> {
  // Warm the emulator's fan-out path so the first measured client is not charged for it.
  const warm = new SharedArrayBuffer(4);
  const warmReceiver = { done: false };
  await runWorker<ReceiveResult>(
    {
      job: "receive",
      kind: "bare ws",
      protocol: "reliable",
      url: url(emu),
      group: "warm",
      total: 5000,
      progress: warm,
    },
    () => publish(emu, "warm", 5000, warm, warmReceiver),
  );
  warmReceiver.done = true;
  for (const protocol of ["json", "reliable"] as Protocol[]) {
    const runs = new Map<Kind, { r: ReceiveResult; rate: number; emulatorUs: number; emulatorCpuUs: number }[]>(KINDS.map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of rotate(KINDS, round)) {
        const group = `recv-${protocol}-${kind.replace(/\W/g, "")}-${round}`;
        const progress = new SharedArrayBuffer(4);
        const receiver = { done: false };
        let publishing: Promise<void> = Promise.resolve();
        // This thread runs the emulator and the publisher: its busy time covers both.
        const emulator: EmulatorBusy = { ms: 0 };
        const r = await runWorker<ReceiveResult>(
          { job: "receive", kind, protocol, url: url(emu), group, total: RECEIVE_TOTAL, progress },
          () => (publishing = publish(emu, group, RECEIVE_TOTAL, progress, receiver)),
          emulator,
        );
        // The next round starts once this one's publisher has stopped.
        receiver.done = true;
        await publishing;
        const received = Math.max(1, r.received);
        runs.get(kind)!.push({ r, rate: r.ms > 0 ? (r.received / r.ms) * 1000 : 0, emulatorUs: (emulator.ms * 1000) / received, emulatorCpuUs: ((emulator.cpuMs ?? NaN) * 1000) / received });
      }
    }
    const rateOf = (kind: Kind) => median(runs.get(kind)!.map((x) => x.rate));
    const floor = rateOf("bare ws");
    console.log(
      `\nmessages received per second by one client, ${protocol} (${RECEIVE_TOTAL} group messages, median of ${ROUNDS} interleaved rounds; losses summed over the rounds)`,
    );
    for (const kind of KINDS) {
      const all = runs.get(kind)!;
      const rate = rateOf(kind);
      const lost = all.reduce((n, x) => n + RECEIVE_TOTAL - x.r.received, 0);
      const duplicates = all.reduce((n, x) => n + x.r.duplicates, 0);
      const outOfOrder = all.reduce((n, x) => n + x.r.outOfOrder, 0);
      const cut = all.filter((x) => x.r.cutOff).length;
      const busyUs = median(all.map((x) => (x.r.busyMs * 1000) / Math.max(1, x.r.received)));
      // A round the service cut off says nothing per message: its publisher stopped early.
      const whole = all.filter((x) => !x.r.cutOff);
      const emulatorUs = whole.length ? median(whole.map((x) => x.emulatorUs)) : NaN;
      const emulatorCpuUs = whole.length ? median(whole.map((x) => x.emulatorCpuUs)) : NaN;
      const note = cut ? ` (cut off by the service in ${cut} of ${ROUNDS} rounds)` : "";
      console.log(
        `  ${kind.padEnd(9)} ${Math.round(rate).toString().padStart(7)} msg/s  ${(rate / floor).toFixed(2)}x floor  ${(rate / rateOf("official")).toFixed(2)}x official  lost ${lost}, duplicates ${duplicates}, out of order ${outOfOrder}${note}  receiver busy ${busyUs.toFixed(1)} us/msg  emulator+publisher busy ${Number.isFinite(emulatorUs) ? `${emulatorUs.toFixed(1)} us/msg${cpuNote(emulatorCpuUs)}` : "n/a (cut off)"}  (rounds: ${all.map((x) => Math.round(x.rate)).join(", ")})`,
      );
    }
  }
}

// The on-CPU figure beside a busy figure, when the platform gave one.
function cpuNote(us: number): string {
  return Number.isFinite(us) ? ` (on CPU ${us.toFixed(1)})` : "";
}

/** `list` starting at position `round` (mod its length), so no contestant always goes first. */
function rotate<T>(list: readonly T[], round: number): T[] {
  const k = round % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function ackedSends(emu: Emulator): Promise<void> {
  console.log(
    `\nacknowledged sendToGroup per second, ${IN_FLIGHT} in flight (${ACKED_TOTAL} sends, json protocol, median of ${ROUNDS} interleaved rounds)`,
  );
  const runs = new Map<Kind, (AckedResult & { emulatorUsPerAck: number; emulatorCpuUsPerAck: number })[]>(KINDS.map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of rotate(KINDS, round)) {
      // The emulator runs in this thread: its busy time over the measured sends, per ack.
      const emulator: EmulatorBusy = { ms: 0 };
      const r = await runWorker<AckedResult>({ job: "acked", kind, url: url(emu), total: ACKED_TOTAL, inFlight: IN_FLIGHT }, undefined, emulator);
      runs.get(kind)!.push({ ...r, emulatorUsPerAck: (emulator.ms * 1000) / ACKED_TOTAL, emulatorCpuUsPerAck: ((emulator.cpuMs ?? NaN) * 1000) / ACKED_TOTAL });
    }
  }
  const m = (kind: Kind) => median(runs.get(kind)!.map((r) => r.perSecond));
  const busy = (kind: Kind) => median(runs.get(kind)!.map((r) => r.busyUsPerAck));
  const emuBusy = (kind: Kind) => median(runs.get(kind)!.map((r) => r.emulatorUsPerAck));
  const emuCpu = (kind: Kind) => median(runs.get(kind)!.map((r) => r.emulatorCpuUsPerAck));
  for (const kind of KINDS) {
    console.log(
      `  ${kind.padEnd(9)} ${Math.round(m(kind)).toString().padStart(7)} acks/s  ${(m(kind) / m("official")).toFixed(2)}x official  ${(m(kind) / m("bare ws")).toFixed(2)}x floor  sender busy ${busy(kind).toFixed(1)} us/ack (${(busy("official") / busy(kind)).toFixed(2)}x less than official)  emulator busy ${emuBusy(kind).toFixed(1)} us/ack${cpuNote(emuCpu(kind))}  (rounds: ${runs.get(kind)!.map((r) => Math.round(r.perSecond)).join(", ")})`,
    );
  }
}

/** A browser file as `npm run build` publishes it (source-map comment and all), built into a scratch folder and read back. */
async function publishedBundle(verbose: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "wps-bundle-"));
  try {
    await bundleClient({ outfile: join(dir, "client.js"), verbose });
    return readFileSync(join(dir, "client.js"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bundleSizes(): Promise<void> {
  // Ours: the "browser" export a production bundler picks (short error messages), and the
  // "development" one (full sentences), which dev servers such as Vite's and webpack's pick.
  const mine = await publishedBundle(false);
  const mineDev = await publishedBundle(true);
  const theirs = await build({
    stdin: {
      contents: 'export * from "@azure/web-pubsub-client";',
      resolveDir: process.cwd(),
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const theirCode = theirs.outputFiles[0]!.text;
  const b = gzipSync(theirCode).length;
  console.log(`\nbrowser bundle (esbuild, minified; every export)`);
  for (const [label, code] of [
    ["ours", mine],
    ["ours dev", mineDev],
  ] as const) {
    const a = gzipSync(code).length;
    console.log(`  ${label.padEnd(9)} ${code.length} B, ${a} B gzipped  ${(a / b).toFixed(2)}x official`);
  }
  console.log(`  official  ${theirCode.length} B, ${b} B gzipped`);
  console.log(`  (ours: the default browser file, short error messages; ours dev: the "development" condition, full messages)`);
}

async function memory(emu: Emulator): Promise<void> {
  console.log(
    `\nheap per connected idle client (${MEMORY_CLIENTS} clients in one worker, reliable protocol)`,
  );
  const perKind: Record<string, number> = {};
  for (const kind of KINDS)
    perKind[kind] = await runWorker<number>({
      job: "memory",
      kind,
      url: url(emu),
      count: MEMORY_CLIENTS,
    });
  for (const kind of KINDS) {
    console.log(
      `  ${kind.padEnd(9)} ${(perKind[kind]! / 1024).toFixed(1).padStart(6)} KiB  ${(perKind[kind]! / perKind["official"]!).toFixed(2)}x official`,
    );
  }
}

/** Runs every client benchmark and prints the report. */
export async function run(): Promise<void> {
  const emu = await startEmulator({ port: 0 });
  // CLIENT_BENCH=receive,acked,bundle,memory runs only those parts.
  const only = process.env["CLIENT_BENCH"]?.split(",");
  const wanted = (part: string) => !only || only.includes(part);
  try {
    if (wanted("receive")) await receiveRates(emu);
    if (wanted("acked")) await ackedSends(emu);
    if (wanted("bundle")) await bundleSizes();
    if (wanted("memory")) await memory(emu);
  } finally {
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
