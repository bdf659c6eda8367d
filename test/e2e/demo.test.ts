import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { runDemo, type DemoReport } from "../../samples/demo.js";

describe("the npm start demo on the embedded emulator", () => {
  let emulator: Emulator;
  let report: DemoReport;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    report = await runDemo(emulator.connectionString, "demo");
  });
  after(() => emulator.close());

  const inbox = (name: string) => report.clients.find((c) => c.name === name)!.received;

  it("delivers to alice everything addressed to her, in order", () => {
    assert.deepEqual(inbox("alice"), [
      'server text "Hello, everyone"',
      'server json {"greeting":"hi alice"}',
      'group:room binary "AQID"',
      'server text "room, but not bob"',
      'group:room text "dave was here"',
      'group:room text "bob left"',
      'system/disconnected "goodbye"',
      'closed 1000 "goodbye"',
    ]);
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
    assert.doesNotMatch(run.stdout, /access_token=/);
  });
});
