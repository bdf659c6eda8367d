// `npm run bench`: every benchmark, one after the other, in one process.
// A report, not a test: figures are printed side by side with the official SDK
// and the raw floor, as ratios. Pass a name (serviceClient, emulatorFanout, client, handler, dashboard) to run one;
// `--profile` also writes a CPU profile of the service client's send path to bench/results/;
// `--sink=http` answers the service-client benchmark from node:http's server instead of the raw sink;
// `--cpus=separate|none` places its two processes on two CPUs or leaves them unpinned (default: one CPU).
import { cpusArg, run as runServiceClient, sinkArg } from "./serviceClient.js";
import { run as runEmulatorFanout } from "./emulatorFanout.js";
import { run as runClient } from "./client.js";
import { run as runHandler } from "./handler.js";
import { run as runDashboard } from "./dashboard.js";

const args = process.argv.slice(2);
const profile = args.includes("--profile");
const sink = sinkArg(args);
const cpus = cpusArg(args);
const suites: Record<string, () => Promise<unknown>> = {
  serviceClient: () => runServiceClient({ profile, sink, cpus }),
  emulatorFanout: runEmulatorFanout,
  client: runClient,
  handler: runHandler,
  dashboard: runDashboard,
};

const wanted = args.filter((a) => !a.startsWith("--"));
for (const arg of args) if (arg.startsWith("--") && arg !== "--profile" && !arg.startsWith("--sink=") && !arg.startsWith("--cpus=")) throw new Error(`unknown option '${arg}'; known: --profile, --sink=raw|http, --cpus=same|separate|none`);
for (const name of wanted) if (!(name in suites)) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(", ")}`);
for (const [name, run] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} (node ${process.version}, ${new Date().toISOString()}) ===`);
  await run();
}
