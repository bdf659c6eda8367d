// Benchmark report (not a test): is the dashboard PAGE responsive with 1,000 connections and a
// steady stream of messages? Headless Chromium opens the dashboard of an emulator with 1,000
// raw clients, first idle, then while REST broadcasts fan out to all of them, in interleaved
// phases. Per phase: frames drawn per second, main-thread time in long tasks (> 50 ms) per
// second, and the delay from a keystroke in the connections filter to the repainted table.
// There is no official counterpart to compare with; the idle page is the floor.
// Run: npx tsx bench/dashboardPage.ts   (needs Chromium at /usr/bin/chromium)
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";
import { agent, Clients, emulatorTarget } from "./emulatorFanout.js";

const CHROMIUM = "/usr/bin/chromium";
const CLIENTS = 1000;
const PHASE_MS = 4000;
const ROUNDS = 3; // per phase kind, interleaved
const BROADCASTS_PER_SECOND = 20; // 20,000 deliveries a second
const KEYSTROKES = 12; // per phase

interface PhaseResult {
  fps: number;
  longTaskMsPerSecond: number;
  maxLongTaskMs: number;
  inputMs: number[];
}

// Installed once in the page: counts frames and long tasks since the last reset. A string,
// not a function: tsx would add helpers (__name) that do not exist in the page.
const PROBE = `
  window.__probe = { frames: 0, long: [], since: performance.now() };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__probe.long.push(e.duration); }).observe({ type: "longtask" });
  (function tick() { window.__probe.frames++; requestAnimationFrame(tick); })();
`;

/** One keystroke in the filter: from the input event to the frame after the table was redrawn. */
async function keystroke(page: Page, text: string): Promise<number> {
  return page.evaluate(
    (value) =>
      new Promise<number>((resolve) => {
        const input = document.getElementById("conn-filter") as HTMLInputElement;
        const start = performance.now();
        input.value = value;
        input.dispatchEvent(new Event("input"));
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
      }),
    text,
  );
}

async function phase(page: Page, load: (() => Promise<void>) | undefined): Promise<PhaseResult> {
  await page.evaluate(() => {
    const p = (window as unknown as { __probe: { frames: number; long: number[]; since: number } }).__probe;
    p.frames = 0;
    p.long = [];
    p.since = performance.now();
  });
  const running = load?.();
  const inputMs: number[] = [];
  const end = Date.now() + PHASE_MS;
  for (let i = 0; i < KEYSTROKES && Date.now() < end; i++) {
    // Narrow, then clear: the table goes from 1,000 rows (200 drawn) to a few and back.
    inputMs.push(await keystroke(page, i % 2 === 0 ? String(i % 10) : ""));
    await new Promise((r) => setTimeout(r, PHASE_MS / KEYSTROKES / 2));
  }
  while (Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const probe = await page.evaluate(() => {
    const p = (window as unknown as { __probe: { frames: number; long: number[]; since: number } }).__probe;
    return { frames: p.frames, long: p.long, ms: performance.now() - p.since };
  });
  await running;
  const seconds = probe.ms / 1000;
  return {
    fps: probe.frames / seconds,
    longTaskMsPerSecond: probe.long.reduce((a, b) => a + b, 0) / seconds,
    maxLongTaskMs: Math.max(0, ...probe.long),
    inputMs,
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
const median = (xs: number[]) => pct(xs, 0.5);

/** Runs the phases and prints the report. */
export async function run(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`dashboardPage: skipped, no Chromium at ${CHROMIUM}`);
    return;
  }
  const target = await emulatorTarget({});
  const clients = new Clients();
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
  try {
    await clients.connect(target.clientUrl, CLIENTS);
    // The client worker counts from its first `expect`: arm it once for every broadcast to come.
    await clients.expect(CLIENTS * BROADCASTS_PER_SECOND * (PHASE_MS / 1000 + 1) * (ROUNDS + 1));
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(target.emulator.dashboardUrl!);
    await page.locator("#conn-count", { hasText: `${CLIENTS} open` }).waitFor({ timeout: 30_000 });
    await page.evaluate(PROBE);

    // A steady stream: BROADCASTS_PER_SECOND sends to all, each reaching every client.
    const stream = async (): Promise<void> => {
      const end = Date.now() + PHASE_MS;
      const sends: Promise<number>[] = [];
      for (let i = 0; Date.now() < end; i++) {
        sends.push(target.send(`tick ${i}`));
        await new Promise((r) => setTimeout(r, 1000 / BROADCASTS_PER_SECOND));
      }
      const statuses = await Promise.all(sends);
      if (statuses.some((s) => s !== 202)) throw new Error("a broadcast was not accepted");
    };

    await phase(page, undefined); // warm-up
    const idle: PhaseResult[] = [];
    const busy: PhaseResult[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate the order, so a drift in machine load hits both alike.
      if (i % 2 === 0) {
        idle.push(await phase(page, undefined));
        busy.push(await phase(page, stream));
      } else {
        busy.push(await phase(page, stream));
        idle.push(await phase(page, undefined));
      }
    }
    const rows = await page.locator("#connections tbody tr").count();
    const line = (name: string, rs: PhaseResult[]) => {
      const input = rs.flatMap((r) => r.inputMs);
      return (
        `  ${name.padEnd(34)} frames/s ${median(rs.map((r) => r.fps)).toFixed(0).padStart(3)}   ` +
        `long tasks ${median(rs.map((r) => r.longTaskMsPerSecond)).toFixed(0).padStart(4)} ms/s (max ${Math.max(...rs.map((r) => r.maxLongTaskMs)).toFixed(0)} ms)   ` +
        `keystroke->paint p50 ${median(input).toFixed(0)} ms, p99 ${pct(input, 0.99).toFixed(0)} ms`
      );
    };
    console.log(`\nDashboard page (headless Chromium 1280x800, ${CLIENTS} connections, ${rows} rows drawn, ${ROUNDS} interleaved ${PHASE_MS / 1000} s phases each)\n`);
    console.log(line("idle (the floor)", idle));
    console.log(line(`${BROADCASTS_PER_SECOND} broadcasts/s to all`, busy));
    const ratio = median(busy.flatMap((r) => r.inputMs)) / median(idle.flatMap((r) => r.inputMs));
    console.log(`  keystroke->paint under load / idle: ${ratio.toFixed(2)}x`);
  } finally {
    await browser.close();
    await clients.close();
    await clients.terminate();
    await target.close();
    agent.destroy();
  }
}

// Run directly: `npx tsx bench/dashboardPage.ts`.
if (process.argv[1] && /bench[\\/]dashboardPage\.ts$/.test(process.argv[1])) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
