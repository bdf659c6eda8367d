// Benchmark report (not a test): token minting and sendToAll throughput against one loopback
// sink, ours vs @azure/web-pubsub 1.2.0 vs a floor (raw HMAC; bare undici POSTs).
// Run: npx tsx bench/serviceClient.ts   (or bench/index.ts calling run()).
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubServiceClient as Official } from "@azure/web-pubsub";
import { Agent, request } from "undici";
import { DEFAULT_API_VERSION, WebPubSubServiceClient } from "../src/index.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const HUB = "bench";

/** One row of the report. */
export interface BenchRow {
  name: string;
  ours: number;
  official: number;
  floor: number;
}

async function sink(): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.statusCode = 202;
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Calls `op` repeatedly with `concurrency` in flight for about `ms`, returns operations per second. */
async function rate(op: () => Promise<unknown> | unknown, concurrency: number, ms: number): Promise<number> {
  const warmEnd = Date.now() + Math.min(300, ms / 4);
  while (Date.now() < warmEnd) await op();
  let count = 0;
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
  return count / seconds;
}

/** Tight synchronous loop for CPU-only work (batches of 1000 between clock reads). */
function syncRate(op: () => unknown, ms: number): number {
  for (let i = 0; i < 2000; i++) op();
  let count = 0;
  const start = process.hrtime.bigint();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) op();
    count += 1000;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

function hmacFloor(): () => string {
  const head = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const body = `${head}.${Buffer.from(`{"aud":"http://127.0.0.1/client/hubs/bench","iat":${now},"exp":${now + 3600}}`).toString("base64url")}`;
    return `${body}.${createHmac("sha256", KEY).update(body).digest("base64url")}`;
  };
}

/** Runs every measurement and prints a table; returns the rows. */
export async function run(options: { ms?: number } = {}): Promise<BenchRow[]> {
  const ms = options.ms ?? 2000;
  const { server, endpoint } = await sink();
  const connectionString = `Endpoint=${endpoint};AccessKey=${KEY};Version=1.0;`;
  const ours = new WebPubSubServiceClient(connectionString, HUB, { retryOptions: { maxRetries: 0 } });
  const official = new Official(connectionString, HUB, { retryOptions: { maxRetries: 0 }, allowInsecureConnection: true });
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  const url = `${endpoint}/api/hubs/${HUB}/:send?api-version=${DEFAULT_API_VERSION}`;
  const floorPost = async () => {
    const res = await request(url, { method: "POST", dispatcher, headers: { "content-type": "text/plain", authorization: "Bearer x" }, body: "hello" });
    await res.body.dump();
  };
  const rows: BenchRow[] = [];
  try {
    rows.push({
      name: "client tokens / s",
      ours: await rate(() => ours.getClientAccessToken({ userId: "u" }), 1, ms),
      official: await rate(() => official.getClientAccessToken({ userId: "u" }), 1, ms),
      floor: syncRate(hmacFloor(), ms),
    });
    rows.push({
      name: "sendToAll / s, sequential",
      ours: await rate(() => ours.sendToAll("hello"), 1, ms),
      official: await rate(() => official.sendToAll("hello", { contentType: "text/plain" }), 1, ms),
      floor: await rate(floorPost, 1, ms),
    });
    rows.push({
      name: "sendToAll / s, 64 in flight",
      ours: await rate(() => ours.sendToAll("hello"), 64, ms),
      official: await rate(() => official.sendToAll("hello", { contentType: "text/plain" }), 64, ms),
      floor: await rate(floorPost, 64, ms),
    });
  } finally {
    await ours.close();
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);
  console.log(`\nwebpubsub-service benchmark (Node ${process.version}, ${ms} ms per cell, loopback sink answering 202)\n`);
  console.log(`${"".padEnd(28)}${"ours".padStart(10)}${"official".padStart(10)}${"floor".padStart(10)}   ours/official  ours/floor`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(28)}${fmt(r.ours)}${fmt(r.official)}${fmt(r.floor)}   ${(r.ours / r.official).toFixed(2).padStart(13)}  ${(r.ours / r.floor).toFixed(2).padStart(10)}`);
  }
  console.log("\nfloor: raw node:crypto HMAC JWT (tokens); bare undici request() POSTs with a 64-connection pool (sends).");
  return rows;
}

// Run directly: `npx tsx bench/serviceClient.ts`.
if (process.argv[1] && /bench[\\/]serviceClient\.ts$/.test(process.argv[1])) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
