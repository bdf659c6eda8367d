// npm run soak [-- --clients 1000 --deliveries 1000000 --group-size 100 --seed 1 ...]
// Prints the report; exits 1 when anything was lost, duplicated or reordered, the emulator
// crashed, or its RSS did not come back within 20 % of the baseline.
import { parseArgs } from "node:util";
import { formatSoakReport, runSoak, SOAK_DEFAULTS, soakViolations, type SoakOptions } from "./run.js";
import { reliableClientFactory } from "./reliableClient.js";
import { sdkClientFactory } from "./sdkClient.js";

const { values } = parseArgs({
  options: {
    clients: { type: "string" },
    deliveries: { type: "string" },
    "group-size": { type: "string" },
    "payload-bytes": { type: "string" },
    "chaos-every-ms": { type: "string" },
    "blackhole-share": { type: "string" },
    "in-flight": { type: "string" },
    seed: { type: "string" },
    client: { type: "string" },
    "in-process": { type: "boolean" },
    help: { type: "boolean" },
  },
});

if (values.help) {
  console.log(
    "npm run soak -- [--clients N] [--deliveries M] [--group-size G] [--payload-bytes B]\n" +
      "                [--chaos-every-ms T] [--blackhole-share S] [--in-flight K] [--seed X] [--in-process]\n" +
      "                [--client soak|sdk]   (the soak's own reliable client, or this project's WebPubSubClient)\n" +
      `defaults: ${SOAK_DEFAULTS.clients} clients, ${SOAK_DEFAULTS.deliveries} deliveries, groups of ${SOAK_DEFAULTS.groupSize}, ` +
      `a kill or black-hole every ${SOAK_DEFAULTS.chaosEveryMs} ms; loopback only.`,
  );
  process.exit(0);
}

function num(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a non-negative number`);
    process.exit(2);
  }
  return n;
}

const options: Partial<SoakOptions> = { progress: (line) => console.log(`  ${line}`) };
const set = <K extends keyof SoakOptions>(key: K, value: SoakOptions[K] | undefined): void => {
  if (value !== undefined) options[key] = value;
};
set("clients", num(values.clients, "clients"));
set("deliveries", num(values.deliveries, "deliveries"));
set("groupSize", num(values["group-size"], "group-size"));
set("payloadBytes", num(values["payload-bytes"], "payload-bytes"));
set("chaosEveryMs", num(values["chaos-every-ms"], "chaos-every-ms"));
set("blackholeShare", num(values["blackhole-share"], "blackhole-share"));
set("inFlight", num(values["in-flight"], "in-flight"));
set("seed", num(values.seed, "seed"));
if (values["in-process"]) options.emulator = "in-process";
if (values.client !== undefined) {
  if (values.client !== "soak" && values.client !== "sdk") {
    console.error("--client must be soak or sdk");
    process.exit(2);
  }
  options.factory = values.client === "sdk" ? sdkClientFactory : reliableClientFactory;
}

console.log("Web PubSub emulator soak (loopback only)");
const report = await runSoak(options);
for (const line of formatSoakReport(report)) console.log(line);
const violations = soakViolations(report);
if (violations.length) {
  console.log(`FAILED: ${violations.join("; ")}`);
  process.exitCode = 1;
} else {
  console.log("PASSED: nothing lost, duplicated or reordered; emulator RSS back within 20 % of its baseline");
}
