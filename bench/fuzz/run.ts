// The fuzzer: malformed REST requests, malformed WebSocket traffic on every subprotocol, slow
// readers and slowloris, against one emulator with bystander clients listening throughout.
// Checks: every refusal is a 4xx with a JSON error, nothing is reset where an HTTP answer is
// possible, no key or token comes back (answers and log lines), bystanders lose nothing, memory
// comes back to its baseline, and the emulator never crashes.
import { connect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { signJwtSync } from "../../src/core/index.js";
import { routeTable } from "../../generated/routeTable.js";
import type { SoakClient } from "../soak/clientAdapter.js";
import { startEmulatorHost, type EmulatorHost, type MemorySample } from "../soak/emulatorHost.js";
import { reliableClientFactory } from "../soak/reliableClient.js";
import { rawExchange, type RawHttpAnswer } from "./rawHttp.js";
import { requestBytes, restCases, type RestCase } from "./restCases.js";
import { frame, rawWebSocket, type RawWsOutcome } from "./rawWs.js";
import { wsCases, type WsCase } from "./wsCases.js";

const HUB = "fuzz";

/** Knobs of one fuzz run; every loop is bounded by these. */
export interface FuzzOptions {
  /** Random mutations of a valid REST request, on top of the fixed cases. Default 2,000. */
  mutations: number;
  /** Seed of the mutations. Default 1. */
  seed: number;
  /** Slowloris connections held open at once. Default 200. */
  slowloris: number;
  /** Wait for the emulator to answer every slowloris connection with 408 (takes its 15 s headers timeout). Default true. */
  waitForSlowloris: boolean;
  /** Megabytes sent to the group of slow readers (in 900 KB messages). Default 180. */
  slowReaderMegabytes: number;
  /** Refused if the emulator's RSS grows more than this during the slow-reader phase. Default 96 MB. */
  slowReaderRssBoundMb: number;
  /**
   * Wait this long before the final memory reading: a reliable session dropped without a close
   * frame is kept for its 30 s recovery window, buffers and all. 0 skips the memory check
   * (the short test run does). Default 31 s. After it, with the emulator in its own process,
   * its heap after garbage collection must be back within 20 % of the baseline, every socket
   * closed, and RSS (which also counts memory the allocator keeps after it was freed) within
   * {@link slowReaderRssBoundMb} of the baseline.
   */
  memorySettleMs: number;
  /** Cases in flight at once. Default 8. */
  concurrency: number;
  emulator: "process" | "in-process";
  progress: (line: string) => void;
}

/** Defaults of `npm run fuzz`. */
export const FUZZ_DEFAULTS: FuzzOptions = {
  mutations: 2_000,
  seed: 1,
  slowloris: 200,
  waitForSlowloris: true,
  slowReaderMegabytes: 180,
  slowReaderRssBoundMb: 96,
  memorySettleMs: 31_000,
  concurrency: 8,
  emulator: "process",
  progress: () => undefined,
};

/** One broken rule. */
export interface FuzzViolation {
  subject: string;
  problem: string;
}

/** What one run saw. */
export interface FuzzReport {
  restCases: number;
  wsCases: number;
  /** REST answers by status ("none" when there was no answer). */
  restStatuses: Record<string, number>;
  /** WebSocket outcomes: close codes, handshake statuses, "open". */
  wsOutcomes: Record<string, number>;
  slowloris: { connections: number; answered408: number; healthLatencyMs: number };
  slowReaders: { megabytesSent: number; stillConnected: string[]; rssGrowthMb: number };
  bystanders: { expected: number; received: number; lost: number; duplicated: number; outOfOrder: number };
  rss: { baseline: number; peak: number; after: number };
  /** Heap (JavaScript heap + external) after garbage collection, bytes; 0 when not measured. */
  heap: { baseline: number; after: number };
  /** Emulator sockets still open at the end (undefined in-process). */
  socketsAfter: number | undefined;
  logLines: number;
  emulator: "process" | "in-process";
  durationMs: number;
  violations: FuzzViolation[];
}

/** Runs the fuzzer. Never leaves a socket, timer or process behind. */
export async function runFuzz(overrides: Partial<FuzzOptions> = {}): Promise<FuzzReport> {
  const o: FuzzOptions = { ...FUZZ_DEFAULTS, ...overrides };
  const started = Date.now();
  const host = await startEmulatorHost({ kind: o.emulator, keepLogs: true });
  const violations: FuzzViolation[] = [];
  const secrets = new Set<string>([host.accessKey]);
  const violate = (subject: string, problem: string): void => void violations.push({ subject, problem });
  const bystanders = new Bystanders(host);
  let sampler: NodeJS.Timeout | undefined;
  try {
    await warmUp(host);
    const baselineMemory = await host.memory();
    const baseline = baselineMemory.rss;
    let peak = baseline;
    sampler = setInterval(() => host.rss(false).then((r) => (peak = Math.max(peak, r)), () => undefined), 200);

    await bystanders.start();
    o.progress("bystanders listening");

    // REST.
    const rest = restCases({ port: host.port, accessKey: host.accessKey, hub: HUB }, o.mutations, o.seed);
    const restStatuses: Record<string, number> = {};
    await pool(rest, o.concurrency, async (c) => {
      for (const s of c.secrets) secrets.add(s);
      const answer = await rawExchange(host.port, c.chunks, { head: c.head, timeoutMs: 8_000 });
      const key = answer.status ? String(answer.status) : "none";
      restStatuses[key] = (restStatuses[key] ?? 0) + 1;
      for (const problem of checkRestAnswer(c, answer, host.accessKey)) violate(`REST ${c.family}: ${c.name}`, problem);
    });
    o.progress(`${rest.length} REST cases done`);
    await checkAlive(host, violate, "after the REST cases");

    // WebSocket.
    const ws = wsCases(HUB, () => clientTarget(host, `fuzz-${randomBytes(4).toString("hex")}`));
    const wsOutcomes: Record<string, number> = {};
    await pool(ws, Math.min(o.concurrency, 4), async (c) => {
      const target = c.target ?? clientTarget(host, `fuzz-${randomBytes(4).toString("hex")}`);
      const token = new URL(target, "http://x").searchParams.get("access_token");
      if (token) secrets.add(token);
      const outcome = await rawWebSocket({
        port: host.port,
        target,
        subprotocol: c.subprotocol,
        send: c.send,
        // A close ends the watch at once; a busy machine may need seconds to send it.
        watchMs: c.expect === "close" ? 4_000 : 600,
        ...(c.headers ? { headers: c.headers } : {}),
      });
      const key =
        outcome.handshakeStatus !== 101
          ? `handshake ${outcome.handshakeStatus || "none"}`
          : outcome.closeCode !== undefined
            ? `close ${outcome.closeCode}`
            : outcome.reset
              ? "reset"
              : outcome.ended
                ? "ended without close"
                : "open";
      wsOutcomes[key] = (wsOutcomes[key] ?? 0) + 1;
      for (const problem of checkWsOutcome(c, outcome, host.accessKey, token)) violate(`WebSocket ${c.family}: ${c.name}`, problem);
    });
    o.progress(`${ws.length} WebSocket cases done`);
    await checkAlive(host, violate, "after the WebSocket cases");

    // Slow readers.
    const slowReaders = await slowReaderPhase(host, o, violate, () => peak);
    o.progress(`slow readers: ${slowReaders.megabytesSent} MB sent, RSS +${slowReaders.rssGrowthMb} MB`);
    await checkAlive(host, violate, "after the slow readers");

    // Slowloris.
    const slowloris = await slowlorisPhase(host, o, violate);
    o.progress(`slowloris: ${slowloris.answered408} of ${slowloris.connections} answered 408`);
    await checkAlive(host, violate, "after slowloris");

    const bystanderResult = await bystanders.finish();
    if (bystanderResult.lost) violate("bystanders", `${bystanderResult.lost} messages lost`);
    if (bystanderResult.duplicated) violate("bystanders", `${bystanderResult.duplicated} messages duplicated`);
    if (bystanderResult.outOfOrder) violate("bystanders", `${bystanderResult.outOfOrder} messages out of order`);
    if (bystanderResult.sessionsLost) violate("bystanders", `${bystanderResult.sessionsLost} bystander connections were closed`);
    clearInterval(sampler);
    // Closed before the memory reading, so every socket still open then is one the emulator kept.
    await bystanders.stop();

    if (o.memorySettleMs > 0) {
      o.progress(`waiting ${Math.round(o.memorySettleMs / 1000)} s for dropped reliable sessions to expire`);
      await new Promise((r) => setTimeout(r, o.memorySettleMs));
    }
    const settled = await settledMemory(host);
    const after = settled.rss;
    if (host.kind === "process" && o.memorySettleMs > 0) {
      if (settled.heap > baselineMemory.heap * 1.2) {
        violate("memory", `heap ${mb(settled.heap)} after the run and garbage collection, over baseline ${mb(baselineMemory.heap)} + 20 %`);
      }
      if (settled.sockets !== undefined && settled.sockets > 0) violate("memory", `${settled.sockets} emulator sockets still open after the run`);
      if (after > baseline + o.slowReaderRssBoundMb * 1024 * 1024) {
        violate("memory", `RSS ${mb(after)} after the run, over baseline ${mb(baseline)} + ${o.slowReaderRssBoundMb} MB`);
      }
    }
    // The log is the emulator's own output: nothing secret may appear in it, redacted or not.
    for (const line of host.logs) {
      for (const secret of secrets) if (secret.length >= 8 && line.includes(secret)) violate("log", `a secret appears in: ${line.slice(0, 120)}`);
      if (/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/.test(line)) violate("log", `a JWT appears in: ${line.slice(0, 120)}`);
    }
    if (host.crash) violate("emulator", host.crash);
    return {
      restCases: rest.length,
      wsCases: ws.length,
      restStatuses,
      wsOutcomes,
      slowloris,
      slowReaders,
      bystanders: bystanderResult,
      rss: { baseline, peak, after },
      heap: { baseline: baselineMemory.heap, after: settled.heap },
      socketsAfter: settled.sockets,
      logLines: host.logs.length,
      emulator: host.kind,
      durationMs: Date.now() - started,
      violations,
    };
  } finally {
    clearInterval(sampler);
    await bystanders.stop();
    await host.close();
  }
}

/** The rules for one REST answer. */
export function checkRestAnswer(c: RestCase, answer: RawHttpAnswer, accessKey: string): string[] {
  const problems: string[] = [];
  if (answer.status === 0) {
    if (answer.reset) problems.push(`reset (${answer.reset}) with no HTTP answer`);
    else if (answer.timedOut) problems.push("no answer within 8 s");
    else problems.push("closed with no HTTP answer");
  } else if (answer.status >= 500) {
    problems.push(`answered ${answer.status}`);
  } else if (c.expect === "4xx" && answer.status < 400) {
    problems.push(`accepted with ${answer.status}; a refusal was expected`);
  } else if (answer.status >= 400 && !c.head) {
    const error = jsonError(answer.body);
    if (!error) problems.push(`${answer.status} without a JSON {code, message} body`);
    if (!/^application\/json/.test(answer.headers["content-type"] ?? "")) problems.push(`${answer.status} with content-type ${answer.headers["content-type"] ?? "(none)"}`);
  }
  const raw = answer.raw.toString("latin1");
  if (raw.includes(accessKey)) problems.push("the access key came back");
  for (const s of c.secrets) if (s.length >= 8 && raw.includes(s)) problems.push("a token it sent came back");
  return problems;
}

/** The rules for one WebSocket outcome. */
export function checkWsOutcome(c: WsCase, outcome: RawWsOutcome, accessKey: string, token: string | null): string[] {
  const problems: string[] = [];
  if (c.expect === "refuse") {
    if (outcome.handshakeStatus === 101) problems.push("the handshake was accepted");
    else if (outcome.handshakeStatus === 0) problems.push(outcome.reset ? `reset (${outcome.reset}) with no HTTP answer` : "closed with no HTTP answer");
    else if (outcome.handshakeStatus >= 500) problems.push(`handshake answered ${outcome.handshakeStatus}`);
    else if (!jsonError(Buffer.from(outcome.handshakeBody))) problems.push(`handshake ${outcome.handshakeStatus} without a JSON error body`);
  } else if (outcome.handshakeStatus !== 101) {
    problems.push(`the handshake failed with ${outcome.handshakeStatus || "no answer"}`);
  } else {
    if (c.expect === "close" && outcome.closeCode === undefined) {
      problems.push(outcome.reset ? `reset (${outcome.reset}) without a close frame` : outcome.ended ? "ended without a close frame" : "still open; a close was expected");
    }
    if (c.expect === "survive" && outcome.reset && outcome.closeCode === undefined) problems.push(`reset (${outcome.reset}) without a close frame`);
    if (c.keepOpen && outcome.closeCode !== undefined) problems.push(`closed with ${outcome.closeCode} ${outcome.closeReason}`);
  }
  const raw = outcome.raw.toString("latin1");
  if (raw.includes(accessKey)) problems.push("the access key came back");
  if (token && raw.includes(token)) problems.push("the access token came back");
  return problems;
}

function jsonError(body: Buffer): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { code?: unknown; message?: unknown };
    return typeof parsed.code === "string" && typeof parsed.message === "string" ? (parsed as { code: string; message: string }) : undefined;
  } catch {
    return undefined;
  }
}

// Listeners that must see every message sent to their group while the fuzzer works: two
// reliable clients (the soak's) and one plain WebSocket, fed by a REST sender every 20 ms.
class Bystanders {
  private readonly reliable: SoakClient[] = [];
  private plain: WebSocket | undefined;
  private readonly seen: { last: number; count: number; duplicated: number; outOfOrder: number; got: Set<number> }[] = [];
  private sent = 0;
  private sending = false;
  private sender: Promise<void> | undefined;
  constructor(private readonly host: EmulatorHost) {}

  async start(): Promise<void> {
    for (let i = 0; i < 3; i++) this.seen.push({ last: -1, count: 0, duplicated: 0, outOfOrder: 0, got: new Set() });
    const record = (k: number, data: unknown): void => {
      const i = (data as { i?: unknown })?.i;
      if (typeof i !== "number") return;
      const s = this.seen[k]!;
      if (s.got.has(i)) return void s.duplicated++;
      s.got.add(i);
      if (i < s.last) s.outOfOrder++;
      else s.last = i;
    };
    for (let k = 0; k < 2; k++) {
      const client = reliableClientFactory.create({
        accessUrl: () => clientUrl(this.host, `bystander-${k}`, []),
        groups: ["bystand"],
        onMessage: (_g, data) => record(k, data),
      });
      this.reliable.push(client);
      await client.start();
    }
    this.plain = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(clientUrl(this.host, "bystander-plain", ["bystand"]));
      ws.on("message", (data) => {
        try {
          record(2, JSON.parse(data.toString()));
        } catch {
          // Not one of ours.
        }
      });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
    this.sending = true;
    this.sender = (async () => {
      while (this.sending) {
        const status = await restSend(this.host, `/api/hubs/${HUB}/groups/bystand/:send`, JSON.stringify({ i: this.sent })).catch(() => 0);
        if (status === 202) this.sent++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  }

  async finish(): Promise<FuzzReport["bystanders"] & { sessionsLost: number }> {
    this.sending = false;
    await this.sender;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && this.seen.some((s) => s.got.size < this.sent)) await new Promise((r) => setTimeout(r, 50));
    const expected = this.sent * this.seen.length;
    const received = this.seen.reduce((n, s) => n + s.got.size, 0);
    return {
      expected,
      received,
      lost: expected - received,
      duplicated: this.seen.reduce((n, s) => n + s.duplicated, 0),
      outOfOrder: this.seen.reduce((n, s) => n + s.outOfOrder, 0),
      sessionsLost: this.reliable.reduce((n, c) => n + c.failedRecoveries, 0) + (this.plain?.readyState === WebSocket.OPEN ? 0 : 1),
    };
  }

  async stop(): Promise<void> {
    this.sending = false;
    await this.sender;
    await Promise.all(this.reliable.map((c) => c.stop()));
    this.reliable.length = 0;
    const ws = this.plain;
    this.plain = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => (ws.terminate(), resolve()), 2_000);
        ws.once("close", () => (clearTimeout(force), resolve()));
        ws.close();
      });
    }
  }
}

// A plain, a JSON and a reliable client that stop reading (the reliable one first acks far past
// anything sent, issue 13 item 1) while big messages go to their group.
async function slowReaderPhase(
  host: EmulatorHost,
  o: FuzzOptions,
  violate: (subject: string, problem: string) => void,
  peak: () => number,
): Promise<FuzzReport["slowReaders"]> {
  const before = await host.rss(true);
  const readers: { name: string; userId: string; socket: Socket }[] = [];
  try {
    for (const [name, sub, first] of [
      ["plain", null, []],
      ["json", "json.webpubsub.azure.v1", []],
      ["reliable, acking 2^53-1", "json.reliable.webpubsub.azure.v1", [frame(0x1, '{"type":"sequenceAck","sequenceId":9007199254740991}')]],
    ] as [string, string | null, Buffer[]][]) {
      const userId = `slow-${readers.length}`;
      readers.push({ name, userId, socket: await pausedClient(host, clientTarget(host, userId, ["slow"]), sub, first) });
    }
    const chunk = JSON.stringify({ pad: "s".repeat(900 * 1024) });
    const messages = Math.ceil((o.slowReaderMegabytes * 1024) / 900);
    let sent = 0;
    for (let i = 0; i < messages; i++) {
      if ((await restSend(host, `/api/hubs/${HUB}/groups/slow/:send`, chunk, "text/plain").catch(() => 0)) === 202) sent++;
    }
    await new Promise((r) => setTimeout(r, 500));
    const growth = Math.round((peak() - before) / 1024 / 1024);
    const megabytesSent = Math.round((sent * 900) / 1024);
    const stillConnected: string[] = [];
    for (const r of readers) {
      if ((await restSend(host, `/api/hubs/${HUB}/users/${r.userId}`, undefined, undefined, "HEAD").catch(() => 0)) === 200) stillConnected.push(r.name);
    }
    if (growth > o.slowReaderRssBoundMb) {
      violate("slow readers", `emulator RSS grew ${growth} MB while ${megabytesSent} MB went unread (bound ${o.slowReaderRssBoundMb} MB); still connected: ${stillConnected.join(", ") || "none"}`);
    }
    return { megabytesSent, stillConnected, rssGrowthMb: growth };
  } finally {
    for (const r of readers) r.socket.destroy();
  }
}

// Connects with a raw socket, waits for the upgrade (and `connected`), writes `first`, then stops reading.
function pausedClient(host: EmulatorHost, target: string, subprotocol: string | null, first: Buffer[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: host.port, host: "127.0.0.1" });
    let seen = "";
    socket.on("error", () => undefined);
    socket.on("connect", () =>
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
          (subprotocol ? `Sec-WebSocket-Protocol: ${subprotocol}\r\n` : "") +
          "\r\n",
      ),
    );
    const onData = (d: Buffer): void => {
      seen += d.toString("latin1");
      if (!seen.startsWith("HTTP/1.1 101")) {
        if (seen.includes("\r\n\r\n")) reject(new Error(`slow reader refused: ${seen.split("\r\n")[0]}`));
        return;
      }
      if (subprotocol && !seen.includes('"connected"')) return;
      socket.off("data", onData);
      for (const b of first) socket.write(b);
      socket.pause();
      resolve(socket);
    };
    socket.on("data", onData);
  });
}

async function slowlorisPhase(
  host: EmulatorHost,
  o: FuzzOptions,
  violate: (subject: string, problem: string) => void,
): Promise<FuzzReport["slowloris"]> {
  // Each connection sends its request line, then one header line a second, never the end.
  const drip = [Buffer.from(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n`)];
  for (let i = 0; i < 40; i++) drip.push(Buffer.from(`X-Drip-${i}: ${i}\r\n`));
  const waitMs = o.waitForSlowloris ? 25_000 : 3_000;
  const pending = Array.from({ length: o.slowloris }, () => rawExchange(host.port, drip, { gapMs: 1_000, keepOpen: true, timeoutMs: waitMs }));
  // While they hang on, ordinary requests must still be served promptly.
  await new Promise((r) => setTimeout(r, 1_000));
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) {
    const answer = await rawExchange(host.port, [requestBytes("GET", "/api/health", host.port)], { timeoutMs: 5_000 });
    if (answer.status !== 200) violate("slowloris", `a health check during slowloris got ${answer.status || "no answer"}`);
  }
  const healthLatencyMs = Math.round((Date.now() - t0) / 5);
  const answers = await Promise.all(pending);
  let answered408 = 0;
  for (const a of answers) {
    if (a.status === 408 && jsonError(a.body)) answered408++;
    else if (o.waitForSlowloris) violate("slowloris", a.status ? `answered ${a.status} instead of 408` : a.reset ? `reset (${a.reset})` : "no answer before the headers timeout");
  }
  return { connections: o.slowloris, answered408, healthLatencyMs };
}

async function warmUp(host: EmulatorHost): Promise<void> {
  for (let i = 0; i < 50; i++) await restSend(host, `/api/hubs/${HUB}/:send`, JSON.stringify({ i })).catch(() => 0);
  await new Promise((r) => setTimeout(r, 300));
}

async function checkAlive(host: EmulatorHost, violate: (s: string, p: string) => void, when: string): Promise<void> {
  const answer = await rawExchange(host.port, [requestBytes("GET", "/api/health", host.port)], { timeoutMs: 5_000 });
  if (answer.status !== 200) violate("emulator", `health check ${when} got ${answer.status || "no answer"}${host.crash ? `: ${host.crash}` : ""}`);
}

// The lowest of a few readings a second apart: a reading can land in the middle of some work.
async function settledMemory(host: EmulatorHost): Promise<MemorySample> {
  let lowest = await host.memory();
  if (host.kind === "in-process") return lowest;
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    const m = await host.memory();
    // Sockets from the last reading: one still closing at the first has had time to go.
    lowest = { rss: Math.min(lowest.rss, m.rss), heap: Math.min(lowest.heap, m.heap), sockets: m.sockets };
  }
  return lowest;
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function clientTarget(host: EmulatorHost, userId: string, groups: string[] = []): string {
  const url = new URL(clientUrl(host, userId, groups));
  return `${url.pathname}${url.search}`;
}

function clientUrl(host: EmulatorHost, userId: string, groups: string[]): string {
  const aud = `ws://127.0.0.1:${host.port}/client/hubs/${HUB}`;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    aud,
    sub: userId,
    iat: now,
    exp: now + 3600,
    role: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"],
  };
  if (groups.length) claims["webpubsub.group"] = groups;
  return `${aud}?access_token=${signJwtSync(claims, host.accessKey)}`;
}

async function restSend(host: EmulatorHost, path: string, body?: string, contentType = "application/json", method = "POST"): Promise<number> {
  const target = `${path}?api-version=${routeTable.defaultVersion}`;
  const now = Math.floor(Date.now() / 1000);
  const token = signJwtSync({ aud: `${host.endpoint}${target}`, iat: now, exp: now + 600 }, host.accessKey);
  const headers: [string, string][] = [["Authorization", `Bearer ${token}`]];
  if (body !== undefined) headers.push(["Content-Type", contentType]);
  const answer = await rawExchange(host.port, [requestBytes(method, target, host.port, headers, body)], { timeoutMs: 30_000, head: method === "HEAD" });
  return answer.status;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The report as printable lines. */
export function formatFuzzReport(r: FuzzReport): string[] {
  const counts = (m: Record<string, number>): string =>
    Object.entries(m)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
  return [
    `REST cases:        ${r.restCases} (${counts(r.restStatuses)})`,
    `WebSocket cases:   ${r.wsCases} (${counts(r.wsOutcomes)})`,
    `slow readers:      ${r.slowReaders.megabytesSent} MB unread; RSS +${r.slowReaders.rssGrowthMb} MB; still connected: ${r.slowReaders.stillConnected.join(", ") || "none"}`,
    `slowloris:         ${r.slowloris.answered408} of ${r.slowloris.connections} answered 408; health check meanwhile ${r.slowloris.healthLatencyMs} ms`,
    `bystanders:        ${r.bystanders.received} of ${r.bystanders.expected} received, ${r.bystanders.lost} lost, ${r.bystanders.duplicated} duplicated, ${r.bystanders.outOfOrder} out of order`,
    `emulator RSS:      baseline ${mb(r.rss.baseline)}, peak ${mb(r.rss.peak)}, after ${mb(r.rss.after)}${r.emulator === "process" ? "" : " (in-process)"}`,
    `emulator heap:     baseline ${mb(r.heap.baseline)}, after ${mb(r.heap.after)} (JavaScript heap + external, after GC); sockets open after: ${r.socketsAfter ?? "not counted"}`,
    `log lines scanned: ${r.logLines}`,
    `duration:          ${(r.durationMs / 1000).toFixed(1)} s`,
    `violations:        ${r.violations.length}`,
    ...r.violations.slice(0, 50).map((v) => `  - ${v.subject}: ${v.problem}`),
    ...(r.violations.length > 50 ? [`  … and ${r.violations.length - 50} more`] : []),
  ];
}
