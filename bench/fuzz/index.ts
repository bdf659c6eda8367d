// npm run fuzz [-- --mutations 2000 --slowloris 200 --seed 1 --quick]
// Prints a summary; exits 1 on any violation (a crash, a reset where HTTP could answer, a
// non-JSON or non-4xx refusal, a secret in an answer or log line, a bystander losing a
// message, or memory that does not come back).
import { parseArgs } from "node:util";
import { formatFuzzReport, FUZZ_DEFAULTS, runFuzz, type FuzzOptions } from "./run.js";

const { values } = parseArgs({
  options: {
    mutations: { type: "string" },
    seed: { type: "string" },
    slowloris: { type: "string" },
    "slow-reader-mb": { type: "string" },
    quick: { type: "boolean" },
    "in-process": { type: "boolean" },
    help: { type: "boolean" },
  },
});
if (values.help) {
  console.log(
    "npm run fuzz -- [--mutations N] [--seed X] [--slowloris N] [--slow-reader-mb M] [--quick] [--in-process]\n" +
      `defaults: ${FUZZ_DEFAULTS.mutations} mutations, ${FUZZ_DEFAULTS.slowloris} slowloris connections held until the 408, ` +
      `${FUZZ_DEFAULTS.slowReaderMegabytes} MB to slow readers; --quick skips waiting for the 408s. Loopback only.`,
  );
  process.exit(0);
}
const options: Partial<FuzzOptions> = { progress: (line) => console.log(`  ${line}`) };
const num = (text: string | undefined, name: string): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
};
const mutations = num(values.mutations, "mutations");
const seed = num(values.seed, "seed");
const slowloris = num(values.slowloris, "slowloris");
const slowMb = num(values["slow-reader-mb"], "slow-reader-mb");
if (mutations !== undefined) options.mutations = mutations;
if (seed !== undefined) options.seed = seed;
if (slowloris !== undefined) options.slowloris = slowloris;
if (slowMb !== undefined) options.slowReaderMegabytes = slowMb;
if (values.quick) options.waitForSlowloris = false;
if (values["in-process"]) options.emulator = "in-process";

console.log("Web PubSub emulator fuzz (loopback only)");
const report = await runFuzz(options);
for (const line of formatFuzzReport(report)) console.log(line);
if (report.violations.length) {
  console.log(`FAILED: ${report.violations.length} violations`);
  process.exitCode = 1;
} else {
  console.log("PASSED: no crash, no reset, every refusal a 4xx with a JSON error, no secret, bystanders whole, memory back");
}
