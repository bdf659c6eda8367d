import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { DEFAULT_ACCESS_KEY, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runDemo, type DemoReport } from "../../samples/demo.js";
import { demoHubs, startEventHandler, type DemoEventHandler } from "../../samples/eventHandler.js";

describe("the npm start demo on the embedded emulator", () => {
  let emulator: Emulator;
  let handler: DemoEventHandler;
  let report: DemoReport;

  before(async () => {
    handler = await startEventHandler("demo", DEFAULT_ACCESS_KEY);
    emulator = await startEmulator({ port: 0, hubs: demoHubs("demo", handler) });
    report = await runDemo(emulator.connectionString, "demo", { upstream: true });
  });
  after(async () => {
    await emulator.close();
    await handler.close();
  });

  const inbox = (name: string) => report.clients.find((c) => c.name === name)!.received;

  it("delivers to alice everything addressed to her, in order", () => {
    assert.deepEqual(inbox("alice"), [
      'server text "Hello, everyone"',
      'server json {"greeting":"hi alice"}',
      'group:room binary "AQID"',
      'server text "room, but not bob"',
      'group:room text "dave was here"',
      'server json {"reply":"hello alice","youSent":{"text":"hi"}}',
      "ack 2 ok",
      'group:room text "bob left"',
      'system/disconnected "goodbye"',
      'closed 1000 "goodbye"',
    ]);
  });

  it("sends alice's event to the event handler, whose reply reaches her (the upstream path)", () => {
    assert.ok(handler.received.includes('event hello from alice json {"text":"hi"}'), handler.received.join("\n"));
    assert.ok(inbox("alice").includes('server json {"reply":"hello alice","youSent":{"text":"hi"}}'));
  });

  it("sends every connection's connect, connected and disconnected to the event handler", async () => {
    // disconnected is non-blocking: it may still be on its way when the demo returns.
    for (let i = 0; i < 100 && !handler.received.includes('disconnected alice "goodbye"'); i++) await new Promise((r) => setTimeout(r, 50));
    const lines = new Set(handler.received);
    for (const who of ["alice", "bob", "carol", "(anonymous)"]) {
      assert.ok(lines.has(`connect ${who}`) && lines.has(`connected ${who}`), `connect/connected ${who}`);
    }
    assert.ok(lines.has('disconnected carol "demo over"'));
    assert.ok(lines.has('disconnected alice "goodbye"'));
  });

  it("keeps bob out of the filtered send and out of the room after he is removed", () => {
    assert.deepEqual(inbox("bob"), [
      'server text "Hello, everyone"',
      'group:room binary "AQID"',
      'server json {"note":"not for alice"}',
      'group:room text "dave was here"',
      'system/disconnected "goodbye"',
      'closed 1000 "goodbye"',
    ]);
  });

  it("gives the plain WebSocket client bare frames, binary as binary", () => {
    assert.deepEqual(inbox("carol"), [
      "Hello, everyone",
      "binary[3] 010203",
      "room, but not bob",
      '{"note":"not for alice"}',
      "dave was here",
      "bob left",
      'closed 1000 "demo over"',
    ]);
  });

  it("lets dave send to the room only after the permission is granted", () => {
    const checks = report.calls.filter((c) => c.label.startsWith("checkPermission")).map((c) => c.result);
    assert.deepEqual(checks, ["false", "true"]);
    assert.deepEqual(inbox("dave"), [
      'server text "Hello, everyone"',
      'server text "just you"',
      'server json {"note":"not for alice"}',
      "ack 1 ok",
      'system/disconnected "goodbye"',
      'closed 1000 "goodbye"',
    ]);
  });

  it("answers the existence checks and lists the room's members", () => {
    const result = (label: string) => report.calls.find((c) => c.label.startsWith(label))!.result;
    assert.equal(result("groupExists"), "true");
    assert.equal(result("userExists"), "false");
    assert.equal(result("connectionExists"), "true");
    assert.equal(result("listConnectionsInGroup"), '["alice","bob","carol"]');
  });

  it("runs as `npm start` and exits 0 with both tables printed", function () {
    this.timeout(60_000);
    const env = { ...process.env };
    delete env["AZURE_WEBPUBSUB_CONNECTION_STRING"];
    const run = spawnSync(process.execPath, ["--import", "tsx", "samples/main.ts"], { env, encoding: "utf8", timeout: 55_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /What the SDK calls returned/);
    assert.match(run.stdout, /alice +json +1 +server text "Hello, everyone"/);
    assert.match(run.stdout, /What the event handler received \(signatures verified\)/);
    assert.match(run.stdout, /event hello from alice json \{"text":"hi"\}/);
    assert.match(run.stdout, /server json \{"reply":"hello alice","youSent":\{"text":"hi"\}\}/);
    assert.doesNotMatch(run.stdout, /access_token=/);
  });
});
