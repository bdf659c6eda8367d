// Benchmark report (not a test) of the WebSocket client, against the same emulator, side by
// side with @azure/web-pubsub-client and a bare `ws` socket that only parses frames:
//  - messages received per second by one client (json and reliable), with messages lost; the
//    publisher keeps at most 500 messages ahead of what the receiver handled;
//  - acknowledged sendToGroup per second with 64 in flight;
//  - browser bundle size, minified and gzipped (esbuild);
//  - heap per connected idle client.
// Receivers run in a worker thread (bench/clientWorker.ts) so the emulator's work is not
// counted against them. Run: npx tsx bench/index.ts client
import { gzipSync } from "node:zlib";
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
  Kind,
  MemoryJob,
  Protocol,
  ReceiveJob,
  ReceiveResult,
} from "./clientWorker.js";

const HUB = "bench";
const RECEIVE_TOTAL = 20_000;
const REPEATS = 3;
const ACKED_TOTAL = 10_000;
const IN_FLIGHT = 64;
const MEMORY_CLIENTS = 200;
const WINDOW = 500;
const KINDS: Kind[] = ["ours", "official", "bare ws"];
const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

function url(emu: Emulator, roles = ROLES): string {
  const now = Math.floor(Date.now() / 1000);
  const aud = `http://127.0.0.1:${emu.port}/client/hubs/${HUB}`;
  return `ws://127.0.0.1:${emu.port}/client/hubs/${HUB}?access_token=${signJwtSync({ aud, iat: now, exp: now + 3600, role: roles }, DEFAULT_ACCESS_KEY)}`;
}

function runWorker<T>(
  job: ReceiveJob | MemoryJob,
  onReady?: () => Promise<void>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // tsx runs the main thread only: the worker registers its loader before importing TypeScript.
    const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(new URL("./clientWorker.ts", import.meta.url).href)}); });`;
    const worker = new Worker(boot, { eval: true, workerData: job });
    worker.on("message", (msg: { ready?: boolean; result?: T }) => {
      if (msg.ready && onReady) onReady().catch(reject);
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
    while (i - seen > WINDOW && performance.now() - since < 2000) {
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
  await new Promise<void>((resolve) => {
    ws.on("message", (m) => String(m).includes('"ack"') && resolve());
    ws.send(`{"type":"joinGroup","group":"done","ackId":1}`);
  });
  ws.close();
}

async function receiveRates(emu: Emulator): Promise<void> {
  // Warm the emulator's fan-out path so the first measured client is not charged for it.
  const warm = new SharedArrayBuffer(4);
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
    () => publish(emu, "warm", 5000, warm),
  );
  for (const protocol of ["json", "reliable"] as Protocol[]) {
    // Round-robin repeats, best of each: the machine is shared, so one run says little.
    const best = new Map<Kind, { r: ReceiveResult; rate: number }>();
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const kind of KINDS) {
        const group = `recv-${protocol}-${kind.replace(/\W/g, "")}-${rep}`;
        const progress = new SharedArrayBuffer(4);
        const r = await runWorker<ReceiveResult>(
          {
            job: "receive",
            kind,
            protocol,
            url: url(emu),
            group,
            total: RECEIVE_TOTAL,
            progress,
          },
          () => publish(emu, group, RECEIVE_TOTAL, progress),
        );
        const rate = r.ms > 0 ? (r.received / r.ms) * 1000 : 0;
        const prev = best.get(kind);
        // A run with losses never beats a clean one.
        const lost = (x: ReceiveResult) =>
          RECEIVE_TOTAL - x.received + x.duplicates;
        if (
          !prev ||
          lost(r) < lost(prev.r) ||
          (lost(r) === lost(prev.r) && rate > prev.rate)
        )
          best.set(kind, { r, rate });
      }
    }
    const floor = best.get("bare ws")!.rate;
    console.log(
      `\nmessages received per second by one client, ${protocol} (${RECEIVE_TOTAL} group messages, best of ${REPEATS})`,
    );
    for (const kind of KINDS) {
      const { r, rate } = best.get(kind)!;
      const lost = RECEIVE_TOTAL - r.received;
      const note = r.cutOff ? " (cut off by the service)" : "";
      console.log(
        `  ${kind.padEnd(9)} ${Math.round(rate).toString().padStart(7)} msg/s  ${(rate / floor).toFixed(2)}x floor  lost ${lost}, duplicates ${r.duplicates}, out of order ${r.outOfOrder}${note}`,
      );
    }
  }
}

async function ackedSends(emu: Emulator): Promise<void> {
  console.log(
    `\nacknowledged sendToGroup per second, ${IN_FLIGHT} in flight (${ACKED_TOTAL} sends, json protocol, best of ${REPEATS})`,
  );
  const rates: Record<string, number> = {};
  for (let rep = 0; rep < REPEATS; rep++) {
    for (const kind of KINDS)
      rates[kind] = Math.max(rates[kind] ?? 0, await ackedRate(emu, kind));
  }
  for (const kind of KINDS) {
    console.log(
      `  ${kind.padEnd(9)} ${Math.round(rates[kind]!).toString().padStart(7)} acks/s  ${(rates[kind]! / rates["official"]!).toFixed(2)}x official  ${(rates[kind]! / rates["bare ws"]!).toFixed(2)}x floor`,
    );
  }
}

async function ackedRate(emu: Emulator, kind: Kind): Promise<number> {
  let send: (i: number) => Promise<unknown>;
  let close: () => Promise<void> | void;
  if (kind === "bare ws") {
    const ws = new WebSocket(url(emu), "json.webpubsub.azure.v1", {
      perMessageDeflate: false,
    });
    await new Promise((resolve, reject) =>
      ws.once("open", resolve).once("error", reject),
    );
    const waiting = new Map<number, () => void>();
    ws.on("message", (m) => {
      const f = JSON.parse(m.toString());
      if (f.type === "ack") waiting.get(f.ackId)?.();
    });
    let lastAckId = 0;
    send = (i) =>
      new Promise<void>((resolve) => {
        const ackId = ++lastAckId;
        waiting.set(ackId, resolve);
        ws.send(
          JSON.stringify({
            type: "sendToGroup",
            group: "nobody",
            ackId,
            dataType: "json",
            data: { i },
          }),
        );
      });
    close = () => ws.close();
  } else {
    const sdk = (kind === "ours" ? ours : official) as unknown as typeof ours;
    const client = new sdk.WebPubSubClient(url(emu), {
      protocol: sdk.WebPubSubJsonProtocol(),
    });
    await client.start();
    send = (i) => client.sendToGroup("nobody", { i }, "json");
    close = () => client.stop();
  }
  const pump = async (total: number): Promise<number> => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < total) await send(next++);
      }),
    );
    return (total / (performance.now() - started)) * 1000;
  };
  await pump(2000); // warm-up, not counted
  const rate = await pump(ACKED_TOTAL);
  await close();
  return rate;
}

async function bundleSizes(): Promise<void> {
  const mine = await bundleClient({ minify: true });
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
  const a = gzipSync(mine).length;
  const b = gzipSync(theirCode).length;
  console.log(`\nbrowser bundle (esbuild, minified; every export)`);
  console.log(
    `  ours      ${mine.length} B, ${a} B gzipped  ${(a / b).toFixed(2)}x official`,
  );
  console.log(`  official  ${theirCode.length} B, ${b} B gzipped`);
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
  try {
    await receiveRates(emu);
    await ackedSends(emu);
    await bundleSizes();
    await memory(emu);
  } finally {
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
