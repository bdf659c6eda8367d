// Replays test/recordings/*.json (written by `npm run record`): the client must send exactly
// the recorded requests and reach the recorded outcome from the recorded responses.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
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
    const recording = JSON.parse(readFileSync(join(dir, file), "utf8")) as Recording;
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
});
