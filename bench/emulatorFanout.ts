// Benchmark report (not a test): fan-out of one REST sendToAll to 100 and 1000 raw `ws`
// clients on loopback, the emulator side by side with a bare `ws` server that broadcasts
// the same payloads on an equally bare HTTP POST. Clients live in a worker thread so the
// server thread's heap shows server-side memory only, and both threads use the 2 cores.
// Run: npx tsx bench/emulatorFanout.ts   (or bench/index.ts calling run()).
import { createServer, request, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { WebSocketServer } from "ws";
import { signJwtSync } from "../src/core/index.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../src/emulator/index.js";
import { DEFAULT_API_VERSION } from "../src/index.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const HUB = "bench";
const PAYLOAD_BYTES = 64;
const IN_FLIGHT = 8; // REST calls in flight at once
const PHASE_TIMEOUT_MS = 30_000;

/** One measured scenario. */
export interface FanoutRow {
  target: "emulator" | "raw ws";
  clients: number;
  messages: number;
  deliveries: number;
  lost: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The whole report. */
export interface FanoutReport {
  rows: FanoutRow[];
  /** Server-thread heap + external bytes per idle connection, at the largest client count. */
  idleBytesPerConnection: { emulator: number; rawWs: number };
}

// The client side, as plain CommonJS so the worker needs no TypeScript loader.
/** The clients' code (CommonJS, `parentPort`/`workerData` of a worker thread). */
export const CLIENT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const WebSocket = require(workerData.wsPath);
let sockets = [];
let expected = 0, received = 0, latencies = null, first = 0, last = 0, done = null;
const now = () => performance.timeOrigin + performance.now();
function onMessage(data) {
  const t = now();
  const text = data.toString();
  const bar = text.indexOf("|", text.indexOf("|") + 1);
  const sent = Number(text.slice(text.indexOf("|") + 1, bar));
  if (received < latencies.length) latencies[received] = t - sent;
  if (received === 0) first = t;
  last = t;
  if (++received === expected && done) done();
}
parentPort.on("message", async (msg) => {
  if (msg.cmd === "connect") {
    const opened = [];
    for (let i = 0; i < msg.n; i++) {
      const ws = new WebSocket(msg.url, { perMessageDeflate: false });
      ws.on("message", onMessage);
      ws.on("error", () => {});
      sockets.push(ws);
      opened.push(new Promise((res, rej) => { ws.once("open", res); ws.once("error", rej); }));
      // Small batches keep the listen backlog happy.
      if (opened.length % 100 === 0) await Promise.all(opened.slice(-100));
    }
    await Promise.all(opened);
    parentPort.postMessage({ ok: true });
  } else if (msg.cmd === "expect") {
    expected = msg.total; received = 0; latencies = new Float64Array(msg.total); first = 0; last = 0;
    const finished = new Promise((res) => { done = res; });
    parentPort.postMessage({ ok: true });
    const timer = setTimeout(() => done(), msg.timeoutMs);
    await finished;
    clearTimeout(timer);
    done = null;
    const l = Array.from(latencies.subarray(0, Math.min(received, expected))).sort((a, b) => a - b);
    const pct = (p) => (l.length ? l[Math.min(l.length - 1, Math.floor(p * l.length))] : NaN);
    parentPort.postMessage({ received, first, last, p50: pct(0.5), p99: pct(0.99) });
  } else if (msg.cmd === "close") {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    parentPort.postMessage({ ok: true });
  }
});
`;

/** 1000s of raw `ws` clients in a worker thread, counting what they receive. */
export class Clients {
  private readonly worker: Worker;
  constructor() {
    this.worker = new Worker(CLIENT_WORKER, { eval: true, workerData: { wsPath: require_resolve("ws") } });
    // Fail loudly instead of waiting forever on a worker that died.
    this.worker.on("error", (err) => {
      console.error("client worker failed:", err);
      process.exit(1);
    });
  }
  private ask<T>(msg: object): Promise<T> {
    return new Promise((resolve) => {
      this.worker.once("message", resolve);
      this.worker.postMessage(msg);
    });
  }
  connect(url: string, n: number): Promise<unknown> {
    return this.ask({ cmd: "connect", url, n });
  }
  /** Arms the counters; `done` settles when all arrived or on timeout (wrapped: an async function would flatten it). */
  async expect(total: number): Promise<{ done: Promise<{ received: number; first: number; last: number; p50: number; p99: number }> }> {
    await this.ask({ cmd: "expect", total, timeoutMs: PHASE_TIMEOUT_MS });
    return { done: new Promise((resolve) => this.worker.once("message", resolve)) };
  }
  close(): Promise<unknown> {
    return this.ask({ cmd: "close" });
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

// The worker is CommonJS, so it needs the package's CommonJS entry, not its ESM wrapper.
/** Resolves a package to its CommonJS entry, for the workers. */
export function require_resolve(specifier: string): string {
  return createRequire(import.meta.url).resolve(specifier);
}

/** The keep-alive agent of the REST calls; destroy it when done. */
export const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function payload(seq: number): string {
  const head = `${seq}|${(performance.timeOrigin + performance.now()).toFixed(3)}|`;
  return head + "x".repeat(Math.max(0, PAYLOAD_BYTES - head.length));
}

/** Sends `count` payloads with IN_FLIGHT calls at a time; returns the time of the first send. */
export async function sendAll(count: number, send: (body: string) => Promise<number>): Promise<number> {
  const start = performance.timeOrigin + performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const status = await send(payload(next++));
      if (status !== 202 && status !== 200) throw new Error(`send answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return start;
}

function gcHeap(): number {
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Something clients connect to and REST calls broadcast through. */
export interface Target {
  clientUrl: string;
  send(body: string): Promise<number>;
  close(): Promise<void>;
}

/** The emulator as a fan-out target (options: e.g. `dashboard: false`). */
export async function emulatorTarget(options: EmulatorOptions = {}): Promise<Target & { emulator: Emulator }> {
  const emu = await startEmulator({ port: 0, ...options });
  const url = `http://127.0.0.1:${emu.port}/api/hubs/${HUB}/:send?api-version=${DEFAULT_API_VERSION}`;
  const now = Math.floor(Date.now() / 1000);
  const clientToken = signJwtSync({ aud: `http://127.0.0.1:${emu.port}/client/hubs/${HUB}`, iat: now, exp: now + 3600 }, KEY);
  return {
    clientUrl: `ws://127.0.0.1:${emu.port}/client/hubs/${HUB}?access_token=${clientToken}`,
    // A fresh token per call, as the SDK signs every request.
    send: (body) => {
      const t = Math.floor(Date.now() / 1000);
      const auth = `Bearer ${signJwtSync({ aud: url, iat: t, exp: t + 3600 }, KEY)}`;
      return post(url, body, { authorization: auth, "content-type": "text/plain" });
    },
    close: () => emu.close(),
    emulator: emu,
  };
}

async function rawTarget(): Promise<Target> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      for (const ws of wss.clients) ws.send(text);
      res.writeHead(202, { "content-length": "0" });
      res.end();
    });
  });
  server.on("upgrade", (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on("error", () => undefined)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    clientUrl: `ws://127.0.0.1:${port}/`,
    send: (body) => post(`http://127.0.0.1:${port}/broadcast`, body, { "content-type": "text/plain" }),
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function measure(
  name: FanoutRow["target"],
  makeTarget: () => Promise<Target>,
  clientCount: number,
  messages: number,
): Promise<{ row: FanoutRow; idleBytes: number }> {
  const clients = new Clients();
  const target = await makeTarget();
  try {
    // Let the previous scenario's sockets finish closing so their memory is not counted here.
    await new Promise((r) => setTimeout(r, 300));
    const before = gcHeap();
    await clients.connect(target.clientUrl, clientCount);
    await new Promise((r) => setTimeout(r, 200));
    const idleBytes = (gcHeap() - before) / clientCount;
    const total = clientCount * messages;
    const result = await clients.expect(total);
    const firstSend = await sendAll(messages, (b) => target.send(b));
    const r = await result.done;
    const seconds = (r.last - firstSend) / 1000;
    return {
      row: {
        target: name,
        clients: clientCount,
        messages,
        deliveries: r.received,
        lost: total - r.received,
        deliveriesPerSecond: seconds > 0 ? r.received / seconds : 0,
        p50Ms: r.p50,
        p99Ms: r.p99,
      },
      idleBytes,
    };
  } finally {
    await clients.close();
    await clients.terminate();
    await target.close();
  }
}

/** Runs every scenario, prints a table and returns the numbers. */
export async function run(): Promise<FanoutReport> {
  setFlagsFromString("--expose-gc");
  const scenarios: [number, number][] = [
    [100, 500],
    [1000, 100],
  ];
  const rows: FanoutRow[] = [];
  const idle = { emulator: 0, rawWs: 0 };
  for (const [n, m] of scenarios) {
    const e = await measure("emulator", emulatorTarget, n, m);
    const r = await measure("raw ws", rawTarget, n, m);
    rows.push(e.row, r.row);
    idle.emulator = e.idleBytes;
    idle.rawWs = r.idleBytes;
  }
  agent.destroy();

  const num = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "-");
  const header = ["target", "clients", "msgs", "deliveries", "lost", "deliveries/s", "p50 ms", "p99 ms"];
  const lines: string[][] = [header];
  for (let i = 0; i < rows.length; i += 2) {
    const e = rows[i]!;
    const r = rows[i + 1]!;
    for (const x of [e, r]) {
      lines.push([x.target, num(x.clients), num(x.messages), num(x.deliveries), num(x.lost), num(x.deliveriesPerSecond), num(x.p50Ms, 2), num(x.p99Ms, 2)]);
    }
    lines.push([
      "emulator / raw",
      "",
      "",
      "",
      "",
      `${(e.deliveriesPerSecond / r.deliveriesPerSecond).toFixed(2)}x`,
      `${(e.p50Ms / r.p50Ms).toFixed(2)}x`,
      `${(e.p99Ms / r.p99Ms).toFixed(2)}x`,
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const fmt = (l: string[]) => l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  console.log(`\nEmulator fan-out (Node ${process.version}, ${PAYLOAD_BYTES}-byte text payload, ${IN_FLIGHT} REST calls in flight, loopback)\n`);
  for (const l of lines) console.log(fmt(l));
  console.log(
    `\nServer-side memory per idle connection (heap + external, ${scenarios[scenarios.length - 1]![0]} clients): ` +
      `emulator ${num(idle.emulator / 1024, 1)} KiB, raw ws ${num(idle.rawWs / 1024, 1)} KiB`,
  );
  console.log("Latency: from just before the REST/HTTP POST to the frame arriving at a client (wall clock, both threads).");
  return { rows, idleBytesPerConnection: { emulator: idle.emulator, rawWs: idle.rawWs } };
}

// Run directly: `npx tsx bench/emulatorFanout.ts`.
if (process.argv[1] && /bench[\\/]emulatorFanout\.ts$/.test(process.argv[1])) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
