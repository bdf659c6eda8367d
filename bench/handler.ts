// Benchmark report (not a test): upstream events handled per second on loopback. The load is a
// signed user event with a small JSON body, answered with a JSON reply, 64 requests in flight,
// sent from a worker thread (undici pool) so server and client each get a core. Servers:
//   ours, node:http      WebPubSubEventHandler.getRequestListener(), signatures verified
//   ours, Fetch          handler.handle(Request) behind a node:http <-> Request bridge
//   ours, Express        getMiddleware() on Express 5
//   official, Express    @azure/web-pubsub-express 1.1.0 on Express 5 (verifies nothing)
//   floor                bare node:http: reads the ce-* headers, drains the body, answers JSON
// Run: npx tsx bench/handler.ts   (or bench/index.ts calling run()).
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import express from "express";
import { WebPubSubEventHandler as Official } from "@azure/web-pubsub-express";
import { signConnectionId } from "../src/core/index.js";
import { WebPubSubEventHandler } from "../src/handler/index.js";
import { fetchListener } from "../test/handler/fetchServer.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const HUB = "bench";
const PATH = "/api/webpubsub/hubs/bench/";
const IN_FLIGHT = 64;
const ROUNDS = 3;

/** One measured server. */
export interface HandlerBenchRow {
  name: string;
  eventsPerSecond: number;
  errors: number;
}

// The load generator, as plain CommonJS so the worker needs no TypeScript loader.
const LOAD_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { Pool } = require(workerData.undiciPath);
parentPort.on("message", async ({ base, headers, body, inFlight, warmupMs, ms }) => {
  const pool = new Pool(base, { connections: inFlight, pipelining: 1, keepAliveTimeout: 60000 });
  let ok = 0, errors = 0, counting = false, stop = false;
  const one = async () => {
    while (!stop) {
      try {
        const res = await pool.request({ path: workerData.path, method: "POST", headers, body });
        const text = await res.body.text();
        if (counting) res.statusCode === 200 && text.length > 0 ? ok++ : errors++;
      } catch { if (counting) errors++; }
    }
  };
  const loops = Array.from({ length: inFlight }, one);
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  counting = false;
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(loops);
  await pool.close();
  parentPort.postMessage({ perSecond: (ok * 1000) / elapsed, errors });
});
`;

function reply(data: unknown): string {
  return JSON.stringify({ echo: data, at: "server" });
}

/** The floor: what any handler must do at least (headers read, body drained, JSON answered). */
const floorListener: RequestListener = (req, res) => {
  const h = req.headers;
  const seen = [h["ce-type"], h["ce-hub"], h["ce-connectionid"], h["ce-signature"], h["ce-eventname"], h["content-type"]];
  req.resume();
  req.on("end", () => {
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(reply(seen.length));
  });
};

function ourHandler(): WebPubSubEventHandler {
  return new WebPubSubEventHandler(HUB, { accessKeys: [KEY], handleUserEvent: (req, res) => res.success(reply(req.data), "json") });
}

function expressApp(middleware: express.RequestHandler): express.Express {
  const app = express();
  app.use(middleware);
  return app;
}

const servers: [string, () => RequestListener][] = [
  ["ours, node:http", () => ourHandler().getRequestListener()],
  ["ours, Fetch core", () => fetchListener(ourHandler().handle)],
  ["ours, Express", () => expressApp(ourHandler().getMiddleware())],
  ["official, Express", () => expressApp(new Official(HUB, { handleUserEvent: (req, res) => res.success(reply(req.data), "json") }).getMiddleware())],
  ["floor, bare node:http", () => floorListener],
];

async function measure(worker: Worker, listener: RequestListener, headers: Record<string, string>, body: string, ms: number): Promise<{ perSecond: number; errors: number }> {
  const server: Server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return await new Promise((resolve) => {
      worker.once("message", resolve);
      worker.postMessage({ base, headers, body, inFlight: IN_FLIGHT, warmupMs: 500, ms });
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Runs every server ROUNDS times for `ms` each (after a 0.5 s warm-up), keeps the best round, prints the table. */
export async function run(options: { ms?: number } = {}): Promise<HandlerBenchRow[]> {
  const ms = options.ms ?? 2000;
  const connectionId = "bench-connection";
  const headers = {
    "content-type": "application/json; charset=utf-8",
    "webhook-request-origin": "bench.webpubsub.azure.com",
    "ce-specversion": "1.0",
    "ce-awpsversion": "1.0",
    "ce-type": "azure.webpubsub.user.message",
    "ce-source": `/hubs/${HUB}/client/${connectionId}`,
    "ce-id": "1",
    "ce-time": new Date().toISOString(),
    "ce-hub": HUB,
    "ce-connectionid": connectionId,
    "ce-eventname": "message",
    "ce-userid": "user-1",
    "ce-signature": await signConnectionId(connectionId, [KEY, "SECONDARYKEYSECONDARYKEYSECONDARYKEY000000"]),
  };
  const body = JSON.stringify({ text: "hello", n: 42, tags: ["a", "b"] });
  const undiciPath = createRequire(import.meta.url).resolve("undici");
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { undiciPath, path: PATH } });
  worker.on("error", (err) => {
    console.error("load worker failed:", err);
    process.exit(1);
  });
  const rows: HandlerBenchRow[] = servers.map(([name]) => ({ name, eventsPerSecond: 0, errors: 0 }));
  try {
    // Interleaved rounds, best round kept: a busy machine slows whichever row it hits, not one server.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, listener]] of servers.entries()) {
        const { perSecond, errors } = await measure(worker, listener(), headers, body, ms);
        rows[i]!.eventsPerSecond = Math.max(rows[i]!.eventsPerSecond, perSecond);
        rows[i]!.errors += errors;
      }
    }
  } finally {
    await worker.terminate();
  }
  const of = (name: string) => rows.find((r) => r.name.startsWith(name))!.eventsPerSecond;
  const official = of("official");
  const floor = of("floor");
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);
  console.log(`\nUpstream handler (Node ${process.version}, user event with a JSON reply, ${IN_FLIGHT} in flight, best of ${ROUNDS} interleaved ${ms} ms rounds, loopback)\n`);
  console.log(`${"".padEnd(24)}${"events/s".padStart(10)}${"errors".padStart(8)}   vs official   vs floor`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(24)}${fmt(r.eventsPerSecond)}${String(r.errors).padStart(8)}   ${(r.eventsPerSecond / official).toFixed(2).padStart(11)}   ${(r.eventsPerSecond / floor).toFixed(2).padStart(8)}`);
  }
  console.log("\nTargets: ours on node:http >= official, and >= 0.5x the floor. Ours verifies ce-signature (2 keys signed); the official handler does not.");
  return rows;
}

// Run directly: `npx tsx bench/handler.ts`.
if (process.argv[1] && /bench[\\/]handler\.ts$/.test(process.argv[1])) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
