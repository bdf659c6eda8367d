// The soak: N reliable clients in groups receive M deliveries sent through the REST API while
// their sockets are killed and silently black-holed at random; then every client's stream is
// checked for loss, duplicates and reordering, and the emulator's RSS for growth.
import { Agent, request } from "node:http";
import { signJwtSync } from "../../src/core/index.js";
import { DEFAULT_API_VERSION } from "../../src/index.js";
import type { SoakClient, SoakClientFactory } from "./clientAdapter.js";
import { startEmulatorHost, type EmulatorHost } from "./emulatorHost.js";
import { reliableClientFactory } from "./reliableClient.js";

const HUB = "soak";

/** Knobs of one soak run; every loop is bounded by these. */
export interface SoakOptions {
  /** Reliable clients. Default 1,000. */
  clients: number;
  /** Clients per group (the last group may be smaller). Default 100. */
  groupSize: number;
  /** Deliveries in all (messages × group members). Default 1,000,000. */
  deliveries: number;
  /** Padding per message, in bytes. Default 64. */
  payloadBytes: number;
  /** One chaos event (kill or black-hole of a random healthy client) every this many ms. Default 100. */
  chaosEveryMs: number;
  /** Share of chaos events that are black-holes rather than kills. Default 0.3. */
  blackholeShare: number;
  /** Black-hole length range in ms. Default 200–1,500. */
  blackholeMs: [number, number];
  /** REST sends in flight at once (never two to the same group, so each group's order is defined). Default 8. */
  inFlight: number;
  /** A group is not sent to while one of its members trails by this many messages (the service drops a client past 1,000 unacked). Default 500 (acks travel behind new sends when the emulator is busy). */
  maxLag: number;
  /** Time allowed, after the last send, for every client to catch up. Default 60 s. */
  drainTimeoutMs: number;
  /** Hard bound on the whole run. Default 30 min. */
  maxDurationMs: number;
  /** Seed of the chaos schedule, so a run can be repeated. Default 1. */
  seed: number;
  /** Where the emulator runs: its own process (RSS is its own) or this one (tests). Default "process". */
  emulator: "process" | "in-process";
  /** The client implementation under test. Default the soak's own reliable client. */
  factory: SoakClientFactory;
  /** Progress lines. Default: none. */
  progress: (line: string) => void;
}

/** Defaults: the figures issue 13 asks for. */
export const SOAK_DEFAULTS: SoakOptions = {
  clients: 1_000,
  groupSize: 100,
  deliveries: 1_000_000,
  payloadBytes: 64,
  chaosEveryMs: 100,
  blackholeShare: 0.3,
  blackholeMs: [200, 1_500],
  inFlight: 8,
  maxLag: 500,
  drainTimeoutMs: 60_000,
  maxDurationMs: 30 * 60_000,
  seed: 1,
  emulator: "process",
  factory: reliableClientFactory,
  progress: () => undefined,
};

/** What one run measured. */
export interface SoakReport {
  client: string;
  clients: number;
  groups: number;
  messages: number;
  /** Deliveries the clients should have received (messages × members). */
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  kills: number;
  blackholes: number;
  recoveries: number;
  failedRecoveries: number;
  sequenceGaps: number;
  /** The longest time any client took to recover, in ms. */
  longestRecoveryMs: number;
  /** Why sessions were lost, with counts, as the clients saw it. */
  lossReasons: Record<string, number>;
  /** Why the emulator ended sessions during the run (its log), with counts. */
  emulatorEnds: Record<string, number>;
  restErrors: number;
  durationMs: number;
  deliveriesPerSecond: number;
  /** Emulator RSS in bytes: after start, baseline (after a warm-up, GC), peak, after the run (GC). */
  rss: { start: number; baseline: number; peak: number; after: number };
  /** "process" when the RSS figures are the emulator's alone. */
  emulator: "process" | "in-process";
  /** Set when the emulator process died. */
  crash: string | undefined;
  /** Set when a bound (drain timeout, max duration) cut the run short. */
  timedOut: string | undefined;
}

/** What a run must show to pass: the acceptance line. Empty when it passed. */
export function soakViolations(report: SoakReport, maxRssGrowth = 0.2): string[] {
  const out: string[] = [];
  if (report.crash) out.push(report.crash);
  if (report.timedOut) out.push(report.timedOut);
  if (report.lost) out.push(`${report.lost} deliveries lost`);
  if (report.duplicated) out.push(`${report.duplicated} deliveries duplicated`);
  if (report.outOfOrder) out.push(`${report.outOfOrder} deliveries out of order`);
  if (report.emulator === "process" && report.rss.after > report.rss.baseline * (1 + maxRssGrowth)) {
    out.push(`emulator RSS after the run is ${mb(report.rss.after)}, over ${mb(report.rss.baseline)} + ${maxRssGrowth * 100} %`);
  }
  return out;
}

/** Per-client bookkeeping of which message indexes of its group arrived. */
class Ledger {
  readonly seen: Uint8Array;
  unique = 0;
  duplicated = 0;
  outOfOrder = 0;
  private highest = -1;
  constructor(readonly group: number, capacity: number) {
    this.seen = new Uint8Array(capacity);
  }
  record(index: number): void {
    if (this.seen[index]) {
      this.duplicated++;
      return;
    }
    this.seen[index] = 1;
    this.unique++;
    if (index < this.highest) this.outOfOrder++;
    else this.highest = index;
  }
}

/** Runs one soak with `options` over the defaults. Never leaves a socket, timer or process behind. */
export async function runSoak(overrides: Partial<SoakOptions> = {}): Promise<SoakReport> {
  const o: SoakOptions = { ...SOAK_DEFAULTS, ...overrides };
  if (o.clients < 1 || o.groupSize < 1 || o.deliveries < 1) throw new RangeError("clients, groupSize and deliveries must be positive");
  const startedAt = Date.now();
  const deadline = startedAt + o.maxDurationMs;
  // The emulator's log says why it ended each session it ended (counted in the report).
  const host = await startEmulatorHost({ kind: o.emulator, keepLogs: true });
  const agent = new Agent({ keepAlive: true, maxSockets: o.inFlight + 1 });
  const clients: SoakClient[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let chaos: NodeJS.Timeout | undefined;
  let reporter: NodeJS.Timeout | undefined;
  try {
    const rssStart = await host.rss(true);
    await warmUp(host, o.factory, agent);
    const baseline = await host.rss(true);
    let peak = baseline;
    sampler = setInterval(() => {
      host.rss(false).then((rss) => (peak = Math.max(peak, rss)), () => undefined);
    }, 250);

    // Groups and clients.
    const groups = Math.ceil(o.clients / o.groupSize);
    const messages = Math.ceil(o.deliveries / o.groupSize);
    const perGroup = Array.from({ length: groups }, (_, g) => Math.floor(messages / groups) + (g < messages % groups ? 1 : 0));
    const members = Array.from({ length: groups }, (_, g) => Math.min(o.groupSize, o.clients - g * o.groupSize));
    const expected = perGroup.reduce((sum, n, g) => sum + n * members[g]!, 0);
    const ledgers: Ledger[] = [];
    const groupLedgers: Ledger[][] = Array.from({ length: groups }, () => []);
    for (let c = 0; c < o.clients; c++) {
      const g = Math.floor(c / o.groupSize);
      const ledger = new Ledger(g, perGroup[g]!);
      ledgers.push(ledger);
      groupLedgers[g]!.push(ledger);
      clients.push(
        o.factory.create({
          accessUrl: () => clientUrl(host, `user-${c}`),
          groups: [`g${g}`],
          onMessage: (_group, data) => ledger.record((data as { i: number }).i),
        }),
      );
    }
    o.progress(`connecting ${o.clients} clients in ${groups} groups`);
    for (let i = 0; i < clients.length; i += 50) {
      checkDeadline(deadline, host);
      await Promise.all(clients.slice(i, i + 50).map((c) => c.start()));
    }

    // Chaos: a kill or a black-hole of one random healthy client per tick.
    const random = mulberry32(o.seed);
    let kills = 0;
    let blackholes = 0;
    chaos = setInterval(() => {
      for (let attempt = 0; attempt < 8; attempt++) {
        const victim = clients[Math.floor(random() * clients.length)]!;
        if (!victim.healthy) continue;
        if (random() < o.blackholeShare) {
          blackholes++;
          victim.blackhole(o.blackholeMs[0] + Math.floor(random() * (o.blackholeMs[1] - o.blackholeMs[0])));
        } else {
          kills++;
          victim.kill();
        }
        return;
      }
    }, o.chaosEveryMs);

    // Sending: one in flight per group, `inFlight` in all, none to a group with a member too far behind.
    const sent = new Array<number>(groups).fill(0);
    const busy = new Array<boolean>(groups).fill(false);
    const padding = "x".repeat(o.payloadBytes);
    let restErrors = 0;
    let cursor = 0;
    const pickGroup = (): number | undefined => {
      for (let k = 0; k < groups; k++) {
        const g = (cursor + k) % groups;
        if (busy[g] || sent[g]! >= perGroup[g]!) continue;
        if (groupLedgers[g]!.some((l) => sent[g]! - l.unique >= o.maxLag)) continue;
        cursor = g + 1;
        return g;
      }
      return undefined;
    };
    // A run that stops making progress (clients that never catch up) ends instead of waiting for maxDurationMs.
    let stalled: string | undefined;
    let lastProgress = Date.now();
    let lastDelivered = -1;
    const remaining = (): boolean => {
      const delivered = ledgers.reduce((sum, l) => sum + l.unique, 0);
      if (delivered !== lastDelivered) {
        lastDelivered = delivered;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > o.drainTimeoutMs) {
        stalled = `no delivery for ${o.drainTimeoutMs / 1000} s while sending`;
        return false;
      }
      return sent.some((n, g) => n < perGroup[g]!);
    };
    const worker = async (): Promise<void> => {
      while (remaining()) {
        checkDeadline(deadline, host);
        const g = pickGroup();
        if (g === undefined) {
          await sleep(5);
          continue;
        }
        busy[g] = true;
        const index = sent[g]!;
        const status = await sendToGroup(host, agent, `g${g}`, JSON.stringify({ i: index, p: padding })).catch(() => 0);
        if (status === 202) sent[g] = index + 1;
        else {
          restErrors++;
          await sleep(50);
        }
        busy[g] = false;
      }
    };
    // Progress every 5 s, with how long the emulator takes to answer /api/health (a stalled
    // emulator and a stalled load generator look alike otherwise).
    reporter = setInterval(() => {
      const t0 = Date.now();
      void healthCheck(host, agent).then((status) => {
        const delivered = ledgers.reduce((sum, l) => sum + l.unique, 0);
        o.progress(
          `${Math.round((Date.now() - startedAt) / 1000)} s: ${delivered} of ${expected} delivered, ` +
            `${kills} kills, ${blackholes} black-holes, ${clients.filter((c) => c.healthy).length} clients healthy, ` +
            `${ledgers.filter((l) => sent[l.group]! - l.unique >= o.maxLag).length} lagging, ` +
            `health ${status} in ${Date.now() - t0} ms, emulator RSS peak ${mb(peak)}`,
        );
      });
    }, 5_000);
    o.progress(`sending ${messages} messages (${expected} deliveries)`);
    const sendStart = Date.now();
    try {
      await Promise.all(Array.from({ length: o.inFlight }, worker));
    } finally {
      clearInterval(chaos);
    }

    // Drain: every client catches up (recovering clients replay what they missed).
    let timedOut: string | undefined = stalled;
    const drainEnd = Math.min(Date.now() + o.drainTimeoutMs, deadline);
    while (!stalled && ledgers.some((l) => l.unique < perGroup[l.group]!)) {
      if (Date.now() > drainEnd || host.crash) {
        timedOut = host.crash ? undefined : `clients had not caught up ${o.drainTimeoutMs / 1000} s after the last send`;
        break;
      }
      await sleep(50);
    }
    clearInterval(reporter);
    const sendEnd = Date.now();
    // Late duplicates would show up now.
    await sleep(500);
    clearInterval(sampler);

    const report: SoakReport = {
      client: o.factory.name,
      clients: o.clients,
      groups,
      messages,
      expected,
      delivered: 0,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      kills,
      blackholes,
      recoveries: clients.reduce((s, c) => s + c.recoveries, 0),
      failedRecoveries: clients.reduce((s, c) => s + c.failedRecoveries, 0),
      sequenceGaps: clients.reduce((s, c) => s + c.sequenceGaps, 0),
      longestRecoveryMs: clients.reduce((m, c) => Math.max(m, c.longestRecoveryMs), 0),
      lossReasons: {},
      emulatorEnds: {},
      restErrors,
      durationMs: 0,
      deliveriesPerSecond: 0,
      rss: { start: rssStart, baseline, peak, after: 0 },
      emulator: host.kind,
      crash: host.crash,
      timedOut,
    };
    for (const line of host.logs) {
      const ended = /\] disconnected \S+: (.*)$/.exec(line);
      if (ended) report.emulatorEnds[ended[1]!] = (report.emulatorEnds[ended[1]!] ?? 0) + 1;
    }
    for (const c of clients) for (const why of c.lossReasons) report.lossReasons[why] = (report.lossReasons[why] ?? 0) + 1;
    for (const l of ledgers) {
      report.delivered += l.unique;
      report.lost += perGroup[l.group]! - l.unique;
      report.duplicated += l.duplicated;
      report.outOfOrder += l.outOfOrder;
    }
    report.deliveriesPerSecond = Math.round(report.delivered / ((sendEnd - sendStart) / 1000));

    await stopAll(clients);
    clients.length = 0;
    report.rss.after = await settledRss(host);
    report.crash = host.crash;
    report.durationMs = Date.now() - startedAt;
    return report;
  } finally {
    clearInterval(sampler);
    clearInterval(chaos);
    clearInterval(reporter);
    await stopAll(clients);
    agent.destroy();
    await host.close();
  }
}

// JIT, module loading and first-use allocations happen here, not in the measured run.
async function warmUp(host: EmulatorHost, factory: SoakClientFactory, agent: Agent): Promise<void> {
  const few: SoakClient[] = [];
  for (let c = 0; c < 10; c++) {
    few.push(factory.create({ accessUrl: () => clientUrl(host, `warm-${c}`), groups: ["warm"], onMessage: () => undefined }));
  }
  try {
    await Promise.all(few.map((c) => c.start()));
    for (let i = 0; i < 200; i++) await sendToGroup(host, agent, "warm", JSON.stringify({ i }));
    await sleep(300);
  } finally {
    await stopAll(few);
  }
  await sleep(500);
}

// RSS falls back in steps after a run (memory reducer, freed sockets): take the lowest of a few reads.
async function settledRss(host: EmulatorHost): Promise<number> {
  // In-process figures include the clients and mean little: one read is enough.
  if (host.kind === "in-process") return host.rss(true);
  let lowest = Infinity;
  for (let i = 0; i < 6; i++) {
    await sleep(1_000);
    lowest = Math.min(lowest, await host.rss(true));
  }
  return lowest;
}

async function stopAll(clients: SoakClient[]): Promise<void> {
  for (let i = 0; i < clients.length; i += 100) await Promise.all(clients.slice(i, i + 100).map((c) => c.stop()));
}

function clientUrl(host: EmulatorHost, userId: string): string {
  const aud = `ws://127.0.0.1:${host.port}/client/hubs/${HUB}`;
  const now = Math.floor(Date.now() / 1000);
  const token = signJwtSync({ aud, sub: userId, iat: now, exp: now + 3600, role: ["webpubsub.joinLeaveGroup"] }, host.accessKey);
  return `${aud}?access_token=${token}`;
}

function sendToGroup(host: EmulatorHost, agent: Agent, group: string, body: string): Promise<number> {
  const path = `/api/hubs/${HUB}/groups/${encodeURIComponent(group)}/:send?api-version=${DEFAULT_API_VERSION}`;
  const now = Math.floor(Date.now() / 1000);
  const token = signJwtSync({ aud: `${host.endpoint}${path}`, iat: now, exp: now + 3600 }, host.accessKey);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: host.port,
        method: "POST",
        path,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("REST send timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

function healthCheck(host: EmulatorHost, agent: Agent): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port: host.port, path: "/api/health", agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve(err.message));
    req.end();
  });
}

function checkDeadline(deadline: number, host: EmulatorHost): void {
  if (host.crash) throw new Error(host.crash);
  if (Date.now() > deadline) throw new Error("the soak ran past its maxDurationMs bound");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded PRNG, so the chaos schedule of a run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Megabytes with one decimal, for reports. */
export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The report as printable lines. */
export function formatSoakReport(r: SoakReport): string[] {
  return [
    `client:            ${r.client}`,
    `clients / groups:  ${r.clients} in ${r.groups} groups; ${r.messages} messages sent through REST`,
    `deliveries:        ${r.delivered} of ${r.expected} delivered (${r.deliveriesPerSecond}/s)`,
    `lost:              ${r.lost}`,
    `duplicated:        ${r.duplicated}`,
    `out of order:      ${r.outOfOrder}`,
    `chaos:             ${r.kills} socket kills, ${r.blackholes} silent black-holes`,
    `recoveries:        ${r.recoveries} (${r.failedRecoveries} refused or lost sessions, ${r.sequenceGaps} sequence gaps; longest ${(r.longestRecoveryMs / 1000).toFixed(1)} s)`,
    ...Object.entries(r.lossReasons).map(([why, n]) => `  lost session (${n}): ${why}`),
    ...Object.entries(r.emulatorEnds).map(([why, n]) => `  emulator ended ${n} session(s) during the run: ${why}`),
    `REST errors:       ${r.restErrors}`,
    `emulator RSS:      start ${mb(r.rss.start)}, baseline ${mb(r.rss.baseline)}, peak ${mb(r.rss.peak)}, after ${mb(r.rss.after)}` +
      (r.emulator === "process" ? ` (${signedPercent(r.rss.after / r.rss.baseline - 1)} vs baseline)` : " (in-process: includes the clients)"),
    `duration:          ${(r.durationMs / 1000).toFixed(1)} s`,
  ];
}

function signedPercent(x: number): string {
  return `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;
}
