// CPU profile of a function run: writes a .cpuprofile (open it in Chrome DevTools or VS Code)
// and sums self time by where the code lives, so the README can give a per-call breakdown.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Where a stack frame's code lives, coarse enough to act on. */
export function categoryOf(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(idle)" || functionName === "(program)" || functionName === "(root)") return "idle / VM";
  if (/[\\/]src[\\/]server[\\/]/.test(url)) return "ours: service client (src/server)";
  if (/[\\/]src[\\/]core[\\/]/.test(url)) return "ours: core (JWT, errors)";
  if (/[\\/]generated[\\/]/.test(url)) return "generated REST layer";
  if (/node_modules[\\/](@azure|@azure-rest|@typespec)[\\/]/.test(url)) return "Azure runtime (core-client, pipeline, tracing)";
  if (/node_modules[\\/]undici[\\/]/.test(url)) return "undici";
  if (/node_modules[\\/]/.test(url)) return "other dependencies";
  if (/^node:(_http|http|https|net|stream|internal\/streams|internal\/http)/.test(url) || /^node:internal\/(stream_base|net|dns)/.test(url)) return "node:http, net, streams";
  if (url.startsWith("node:")) return "other Node internals (timers, events, crypto…)";
  if (url === "") return "native / builtins";
  return "bench harness";
}

/** Self time in µs per category, from a V8 CPU profile. */
export function selfTimeByCategory(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node) continue;
    // A sample's time is the delta to the next sample.
    const us = deltas[i + 1] ?? 0;
    const category = categoryOf(node.callFrame.url, node.callFrame.functionName);
    totals.set(category, (totals.get(category) ?? 0) + us);
  }
  return totals;
}

/**
 * Profiles `run` (which returns how many calls it made); writes `<dir>/<name>.cpuprofile`. Also
 * returns the process CPU per call: the profiler samples wall-clock time, which a busy machine
 * inflates, so a report should scale each category's share of the samples by this figure.
 */
export async function profile(name: string, dir: string, run: () => Promise<number>): Promise<{ file: string; calls: number; cpuUsPerCall: number; breakdown: Map<string, number> }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  let calls = 0;
  let result: { profile: Profile };
  const cpu = process.cpuUsage();
  let used: NodeJS.CpuUsage;
  try {
    calls = await run();
  } finally {
    used = process.cpuUsage(cpu);
    result = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
    session.disconnect();
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(result.profile));
  return { file, calls, cpuUsPerCall: (used.user + used.system) / Math.max(1, calls), breakdown: selfTimeByCategory(result.profile) };
}
