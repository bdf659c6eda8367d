// npm run record: re-runs test/server/scenarios.ts against a live endpoint and rewrites
// test/recordings/*.json with secrets removed. Target: AZURE_WEBPUBSUB_CONNECTION_STRING
// (+ AZURE_WEBPUBSUB_HUB, default "recordings") — real Azure or a running emulator — or,
// when it is unset, a fresh in-process emulator per scenario. CI only replays
// (test/server/recordings.test.ts).
//
// Recordings are stable, so a re-record diff shows only what changed on the wire: the
// service-assigned connection ids become fixed ones (ALIASES), and the default api-version is
// written as DEFAULT_API_VERSION_PLACEHOLDER (the replay puts the current default back).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { DEFAULT_API_VERSION, WebPubSubServiceClient, redactText, parseConnectionString } from "../src/index.js";
import { decodeServiceFrame, JSON_SUBPROTOCOL } from "../src/core/index.js";
import { startEmulator } from "../src/emulator/index.js";
import { scenarios, type Scenario, type ScenarioContext } from "../test/server/scenarios.js";

/** Stands for the client's default api-version in recordings. */
export const DEFAULT_API_VERSION_PLACEHOLDER = "{defaultApiVersion}";

/** The fixed connection id each live one is recorded as. */
const ALIASES: ScenarioContext = { alice1: "alice-connection-1", alice2: "alice-connection-2", bob: "bob-connection-1" };

/** The endpoint every recording names instead of the live one. */
export const FAKE_ENDPOINT = "https://fake.webpubsub.azure.com";
const OUT_DIR = join(process.cwd(), "test", "recordings");
const KEPT_RESPONSE_HEADERS = ["content-type", "x-ms-error-code", "retry-after"];

interface Interaction {
  request: { method: string; path: string; query: [string, string][]; contentType: string | null; body: { text: string } | { base64: string } | null };
  response: { status: number; headers: Record<string, string>; body: string };
}

function capturePolicy(live: string, sink: Interaction[]): PipelinePolicy {
  const sanitize = (text: string) => redactText(text.split(live).join(FAKE_ENDPOINT));
  return {
    name: "recordingCapturePolicy",
    async sendRequest(request, next) {
      const response = await next(request);
      const url = new URL(request.url);
      const contentType = request.headers.get("content-type") ?? null;
      const textual = contentType !== null && /^(application\/json|text\/)/.test(contentType);
      const raw = request.body;
      const body = raw instanceof Uint8Array && textual ? new TextDecoder().decode(raw) : raw;
      const headers: Record<string, string> = {};
      for (const name of KEPT_RESPONSE_HEADERS) {
        const value = response.headers.get(name);
        if (value !== undefined) headers[name] = sanitize(value);
      }
      sink.push({
        request: {
          method: request.method,
          path: url.pathname,
          query: [...url.searchParams],
          contentType,
          body: typeof body === "string" ? { text: sanitize(body) } : body instanceof Uint8Array ? { base64: Buffer.from(body).toString("base64") } : null,
        },
        response: { status: response.status, headers, body: sanitize(response.bodyAsText ?? "") },
      });
      return response;
    },
  };
}

async function connect(client: WebPubSubServiceClient, userId: string): Promise<{ socket: WebSocket; connectionId: string }> {
  const { url } = await client.getClientAccessToken({ userId });
  const socket = new WebSocket(url, JSON_SUBPROTOCOL);
  const connectionId = await new Promise<string>((resolve, reject) => {
    socket.once("error", reject);
    socket.on("message", (data) => {
      const decoded = decodeServiceFrame(String(data));
      if (decoded.ok && decoded.frame.type === "system" && decoded.frame.event === "connected") resolve(decoded.frame.connectionId);
    });
  });
  return { socket, connectionId };
}

/** One recording, ready to write: stable ids, the default api-version as a placeholder. */
export async function recordScenario(connectionString: string, hub: string, name: string, scenario: Scenario, target: string): Promise<string> {
  const live = parseConnectionString(connectionString).endpoint;
  const interactions: Interaction[] = [];
  const setup = new WebPubSubServiceClient(connectionString, hub);
  const sockets = [await connect(setup, "alice"), await connect(setup, "alice"), await connect(setup, "bob")];
  const context: ScenarioContext = { alice1: sockets[0]!.connectionId, alice2: sockets[1]!.connectionId, bob: sockets[2]!.connectionId };
  const client = new WebPubSubServiceClient(connectionString, hub, {
    additionalPolicies: [{ policy: capturePolicy(live, interactions), position: "perRetry" }],
  });
  try {
    const outcome = await scenario(client, context);
    for (const i of interactions) {
      i.request.query = i.request.query.map(([k, v]) => [k, k === "api-version" && v === DEFAULT_API_VERSION ? DEFAULT_API_VERSION_PLACEHOLDER : v]);
      i.response.body = i.response.body.split(`api-version=${DEFAULT_API_VERSION}`).join(`api-version=${DEFAULT_API_VERSION_PLACEHOLDER}`);
    }
    let text = `${JSON.stringify({ scenario: name, recordedAgainst: target, hub, context: ALIASES, interactions, outcome }, null, 2)}\n`;
    for (const key of ["alice1", "alice2", "bob"] as const) {
      for (const form of new Set([context[key], encodeURIComponent(context[key])])) text = text.split(form).join(ALIASES[key]);
    }
    return text;
  } finally {
    for (const { socket } of sockets) socket.terminate();
    await Promise.all([client.close(), setup.close()]);
  }
}

async function main(): Promise<void> {
  const connectionString = process.env["AZURE_WEBPUBSUB_CONNECTION_STRING"];
  const hub = process.env["AZURE_WEBPUBSUB_HUB"] || "recordings";
  const target = !connectionString ? "in-process emulator" : /localhost|127\.0\.0\.1/.test(connectionString) ? "emulator" : "azure";
  const only = process.argv.slice(2);
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only.length > 0 && !only.includes(name)) continue;
    // A fresh emulator per scenario: no state (group ordinals, connections) leaks between them.
    const emulator = connectionString ? undefined : await startEmulator({ port: 0 });
    try {
      const text = await recordScenario(connectionString ?? emulator!.connectionString, hub, name, scenario, target);
      writeFileSync(join(OUT_DIR, `${name}.json`), text);
      const { interactions, outcome } = JSON.parse(text) as { interactions: unknown[]; outcome: unknown };
      console.log(`recorded ${name}: ${interactions.length} request(s) -> ${JSON.stringify(outcome)}`);
    } finally {
      await emulator?.close();
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(redactText(error instanceof Error ? (error.stack ?? error.message) : String(error)));
    process.exitCode = 1;
  });
}
