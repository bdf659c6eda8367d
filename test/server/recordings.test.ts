// Replays test/recordings/*.json (written by `npm run record`): the client must send exactly
// the recorded requests and reach the recorded outcome from the recorded responses.
// Recordings name the default api-version by a placeholder, so they replay at today's default.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_API_VERSION_PLACEHOLDER, recordScenario } from "../../scripts/record.js";
import { startEmulator } from "../../src/emulator/index.js";
import { DEFAULT_API_VERSION } from "../../src/index.js";
import { scenarios, type ScenarioContext } from "./scenarios.js";
import { assertRestAuth, intercept, newClient, setupNock, type Reply } from "./support.js";

setupNock();

interface Recording {
  scenario: string;
  hub: string;
  context: ScenarioContext;
  interactions: {
    request: { method: Reply["method"]; path: string; query: [string, string][]; contentType: string | null; body: { text: string } | { base64: string } | null };
    response: { status: number; headers: Record<string, string>; body: string };
  }[];
  outcome: unknown;
}

const dir = join(process.cwd(), "test", "recordings");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

describe("recorded scenarios (replay)", () => {
  it("has a recording for every scenario", () => {
    assert.deepEqual(files.map((f) => f.slice(0, -5)).sort(), Object.keys(scenarios).sort());
  });

  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    const recording = JSON.parse(text.split(DEFAULT_API_VERSION_PLACEHOLDER).join(DEFAULT_API_VERSION)) as Recording;
    it(`${recording.scenario}: sends the recorded requests and reaches the recorded outcome`, async () => {
      const scenario = scenarios[recording.scenario];
      assert.ok(scenario, `no scenario named ${recording.scenario}`);
      const { captured, scope } = intercept(
        recording.interactions.map(({ request, response }) => ({ method: request.method, status: response.status, headers: response.headers, body: response.body })),
      );
      const outcome = await scenario(newClient(recording.hub), recording.context);
      scope.done();
      assert.equal(captured.length, recording.interactions.length);
      recording.interactions.forEach(({ request }, i) => {
        const got = captured[i]!;
        assert.equal(got.method, request.method);
        assert.equal(got.path, request.path);
        assert.deepEqual(got.query, request.query);
        assert.equal(got.headers["content-type"] ?? null, request.contentType);
        if (request.body === null) assert.equal(got.body, "");
        else if ("text" in request.body) assert.equal(got.body, request.body.text);
        else {
          const bytes = Buffer.from(request.body.base64, "base64");
          assert.ok(got.body === bytes.toString("hex") || got.body === bytes.toString("latin1"), "binary body matches");
        }
        assertRestAuth(got);
      });
      assert.deepEqual(outcome, recording.outcome);
    });
  }

  describe("re-recording against the in-process emulator (npm run record)", function () {
    this.timeout(60_000);
    // setupNock() keeps loopback open, so the emulator's real sockets work here.
    for (const file of files) {
      const text = readFileSync(join(dir, file), "utf8");
      const recording = JSON.parse(text) as Recording & { recordedAgainst: string };
      it(`${recording.scenario}: gives the committed file byte for byte (stable ids, placeholder api-version)`, async function () {
        if (recording.recordedAgainst !== "in-process emulator") this.skip(); // recorded elsewhere: nothing local to compare with
        const scenario = scenarios[recording.scenario]!;
        const emulator = await startEmulator({ port: 0 });
        try {
          assert.equal(await recordScenario(emulator.connectionString, recording.hub, recording.scenario, scenario, "in-process emulator"), text);
        } finally {
          await emulator.close();
        }
      });
    }
  });
});
