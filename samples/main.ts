// `npm start`: the whole loop on one machine. Starts the embedded emulator (or uses
// AZURE_WEBPUBSUB_CONNECTION_STRING), runs the demo, and prints what each client received.
import { DEFAULT_ACCESS_KEY, startEmulator, type Emulator } from "../src/emulator/index.js";
import { runDemo } from "./demo.js";
import { demoHubs, startEventHandler, type DemoEventHandler } from "./eventHandler.js";

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

async function main(): Promise<number> {
  const fromEnv = process.env["AZURE_WEBPUBSUB_CONNECTION_STRING"];
  const hub = process.env["AZURE_WEBPUBSUB_HUB"] ?? "demo";
  // With the embedded emulator, events also go upstream to a local event handler.
  const handler: DemoEventHandler | undefined = fromEnv ? undefined : await startEventHandler(hub, DEFAULT_ACCESS_KEY);
  const emulator: Emulator | undefined = handler ? await startEmulator({ port: 0, hubs: demoHubs(hub, handler) }) : undefined;
  console.log(emulator ? `Embedded emulator listening at ${emulator.endpoint}` : "Using the service from AZURE_WEBPUBSUB_CONNECTION_STRING");
  try {
    const report = await runDemo(fromEnv || emulator!.connectionString, hub, { upstream: handler !== undefined });
    console.log("\nWhat the SDK calls returned\n");
    console.log(table([["step", "SDK call", "result"], ...report.calls.map((c, i) => [String(i + 1), c.label, c.result])]));
    console.log("\nWhat each WebSocket client received\n");
    const rows = [["client", "protocol", "#", "message"]];
    for (const c of report.clients) {
      c.received.forEach((m, i) => rows.push([i === 0 ? c.name : "", i === 0 ? c.protocol : "", String(i + 1), m]));
      if (c.received.length === 0) rows.push([c.name, c.protocol, "-", "(nothing)"]);
    }
    console.log(table(rows));
    if (handler) {
      console.log("\nWhat the event handler received (signatures verified)\n");
      console.log(table([["#", "event"], ...handler.received.map((line, i) => [String(i + 1), line])]));
    }
  } finally {
    await emulator?.close();
    await handler?.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(1);
  },
);
