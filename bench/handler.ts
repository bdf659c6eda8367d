// Benchmark report (not a test): upstream events handled per second on loopback. The load is a
// signed user event with a small JSON body, answered with a JSON reply, 64 requests in flight,
// sent from a child process (undici pool) so server and client each get a core. Besides
// events/s it reports events per CPU-second of the server process, which a busy machine
// disturbs far less than wall-clock throughput. Servers:
//   ours, node:http      WebPubSubEventHandler.getRequestListener(), signatures verified
//   ours, Fetch          handler.handle(Request) behind a node:http <-> Request bridge
//   ours, Express        getMiddleware() on Express 5
//   official, Express    @azure/web-pubsub-express 1.1.0 on Express 5 (verifies nothing)
//   floor                bare node:http: reads the ce-* headers, drains the body, answers JSON
// Run: npx tsx bench/handler.ts   (or bench/index.ts calling run()).
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import express from "express";
import { WebPubSubEventHandler as Official } from "@azure/web-pubsub-express";
import { buildEventType, CloudEventHeader, signConnectionId } from "../src/core/index.js";
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
  /** Events per CPU-second spent by the server process (user + system). */
  eventsPerCpuSecond: number;
  errors: number;
}

// The load generator, as plain CommonJS so the child needs no TypeScript loader. It tells the
// parent when counting starts and stops, so the parent can read its own CPU time in between.
const LOAD_SCRIPT = `
const { Pool } = require(process.env.UNDICI_PATH);
process.on("message", async ({ base, headers, body, inFlight, warmupMs, ms, path }) => {
  const pool = new Pool(base, { connections: inFlight, pipelining: 1, keepAliveTimeout: 60000 });
  let ok = 0, errors = 0, counting = false, stop = false;
  const one = async () => {
    while (!stop) {
      try {
        const res = await pool.request({ path, method: "POST", headers, body });
        const text = await res.body.text();
        if (counting) res.statusCode === 200 && text.length > 0 ? ok++ : errors++;
      } catch { if (counting) errors++; }
    }
  };
  const loops = Array.from({ length: inFlight }, one);
  await new Promise((r) => setTimeout(r, warmupMs));
  counting = true;
  process.send({ phase: "start" });
  const started = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  counting = false;
  const elapsed = performance.now() - started;
  process.send({ phase: "stop" });
  stop = true;
  await Promise.all(loops);
  await pool.close();
  process.send({ phase: "done", ok, perSecond: (ok * 1000) / elapsed, errors });
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

interface Measured {
  perSecond: number;
  perCpuSecond: number;
  errors: number;
}

async function measure(load: ChildProcess, listener: RequestListener, headers: Record<string, string>, body: string, ms: number): Promise<Measured> {
  const server: Server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return await new Promise((resolve, reject) => {
      let cpu: NodeJS.CpuUsage | undefined;
      let cpuMicros = 0;
      const onMessage = (msg: { phase: string; ok: number; perSecond: number; errors: number }) => {
        if (msg.phase === "start") cpu = process.cpuUsage();
        else if (msg.phase === "stop") {
          const used = process.cpuUsage(cpu);
          cpuMicros = used.user + used.system;
        } else {
          load.off("message", onMessage);
          resolve({ perSecond: msg.perSecond, perCpuSecond: cpuMicros > 0 ? (msg.ok * 1e6) / cpuMicros : 0, errors: msg.errors });
        }
      };
      load.on("message", onMessage);
      load.once("exit", (code) => reject(new Error(`load generator exited with ${code}`)));
      load.send({ base, headers, body, inFlight: IN_FLIGHT, warmupMs: 500, ms, path: PATH });
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
    [CloudEventHeader.specVersion]: "1.0",
    [CloudEventHeader.awpsVersion]: "1.0",
    [CloudEventHeader.type]: buildEventType("user", "message"),
    [CloudEventHeader.source]: `/hubs/${HUB}/client/${connectionId}`,
    [CloudEventHeader.id]: "1",
    [CloudEventHeader.time]: new Date().toISOString(),
    [CloudEventHeader.hub]: HUB,
    [CloudEventHeader.connectionId]: connectionId,
    [CloudEventHeader.eventName]: "message",
    [CloudEventHeader.userId]: "user-1",
    [CloudEventHeader.signature]: await signConnectionId(connectionId, [KEY, "SECONDARYKEYSECONDARYKEYSECONDARYKEY000000"]),
  };
  const body = JSON.stringify({ text: "hello", n: 42, tags: ["a", "b"] });
  const undiciPath = createRequire(import.meta.url).resolve("undici");
  const load = spawn(process.execPath, ["-e", LOAD_SCRIPT], { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, UNDICI_PATH: undiciPath } });
  const rows: HandlerBenchRow[] = servers.map(([name]) => ({ name, eventsPerSecond: 0, eventsPerCpuSecond: 0, errors: 0 }));
  try {
    // Interleaved rounds, best round kept: a busy machine slows whichever row it hits, not one server.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, listener]] of servers.entries()) {
        const m = await measure(load, listener(), headers, body, ms);
        const row = rows[i]!;
        row.eventsPerSecond = Math.max(row.eventsPerSecond, m.perSecond);
        row.eventsPerCpuSecond = Math.max(row.eventsPerCpuSecond, m.perCpuSecond);
        row.errors += m.errors;
      }
    }
  } finally {
    load.kill();
  }
  const row = (name: string) => rows.find((r) => r.name.startsWith(name))!;
  const [official, floor] = [row("official"), row("floor")];
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);
  const ratio = (n: number) => n.toFixed(2).padStart(8);
  console.log(`\nUpstream handler (Node ${process.version}, user event with a JSON reply, ${IN_FLIGHT} in flight, best of ${ROUNDS} interleaved ${ms} ms rounds, loopback)\n`);
  console.log(`${"".padEnd(24)}${"events/s".padStart(10)}  /official  /floor  ${"per CPU-s".padStart(10)}  /official  /floor  errors`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(24)}${fmt(r.eventsPerSecond)}  ${ratio(r.eventsPerSecond / official.eventsPerSecond)} ${ratio(r.eventsPerSecond / floor.eventsPerSecond)}` +
        `  ${fmt(r.eventsPerCpuSecond)}  ${ratio(r.eventsPerCpuSecond / official.eventsPerCpuSecond)} ${ratio(r.eventsPerCpuSecond / floor.eventsPerCpuSecond)}  ${r.errors}`,
    );
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
