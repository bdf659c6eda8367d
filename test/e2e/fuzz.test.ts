// A few seconds of the fuzzer (npm run fuzz runs the full one): malformed REST and WebSocket
// traffic gets 4xx JSON errors or close frames, never a reset, a secret or a crash, and
// bystander clients lose nothing.
import assert from "node:assert/strict";
import { checkRestAnswer, runFuzz, type FuzzReport } from "../../bench/fuzz/run.js";
import { requestBytes } from "../../bench/fuzz/restCases.js";


describe("fuzz (short)", function () {
  this.timeout(120_000);
  let report: FuzzReport;

  before(async () => {
    report = await runFuzz({
      mutations: 150,
      slowloris: 20,
      waitForSlowloris: false,
      slowReaderMegabytes: 8,
      // The memory check needs the 30 s recovery window to pass; the full run does it.
      memorySettleMs: 0,
      emulator: "process",
    });
  });

  it("breaks no rule", () => {
    assert.deepEqual(report.violations, []);
  });

  it("answers every REST case over HTTP: no reset, no silent close, no 5xx", () => {
    assert.ok(report.restCases > 300, `${report.restCases} cases`);
    assert.equal(report.restStatuses["none"], undefined);
    assert.equal(Object.keys(report.restStatuses).filter((s) => Number(s) >= 500).length, 0);
    assert.ok((report.restStatuses["400"] ?? 0) > 100 && (report.restStatuses["401"] ?? 0) > 20);
  });

  it("closes broken WebSocket sessions with a close frame on every subprotocol", () => {
    assert.ok(report.wsCases > 150, `${report.wsCases} cases`);
    assert.ok((report.wsOutcomes["close 1002"] ?? 0) > 30, "protocol errors close with 1002");
    assert.ok((report.wsOutcomes["close 1007"] ?? 0) > 20, "bad JSON closes with 1007");
    assert.equal(report.wsOutcomes["reset"], undefined);
  });

  it("keeps bystanders whole and the emulator alive", () => {
    assert.ok(report.bystanders.expected > 0);
    assert.equal(report.bystanders.lost, 0);
    assert.equal(report.bystanders.duplicated, 0);
    assert.equal(report.bystanders.outOfOrder, 0);
    assert.ok(report.logLines > 0, "the log was scanned");
  });

  it("flags a refusal without a JSON body, a reset and a leaked token", () => {
    // The checker itself must fail on bad answers, or the suite above proves nothing.
    const c = { family: "t", name: "t", chunks: [requestBytes("GET", "/", 1)], expect: "4xx" as const, head: false, secrets: ["eyJsecret.token.value"] };
    const bare = { status: 400, headers: {}, body: Buffer.from("Bad Request"), raw: Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\neyJsecret.token.value"), reset: undefined, timedOut: false };
    const problems = checkRestAnswer(c, bare, "the-access-key-0123456789");
    assert.ok(problems.some((p) => /without a JSON/.test(p)));
    assert.ok(problems.some((p) => /token it sent came back/.test(p)));
    const reset = checkRestAnswer(c, { ...bare, status: 0, raw: Buffer.alloc(0), reset: "ECONNRESET" }, "k");
    assert.deepEqual(reset, ["reset (ECONNRESET) with no HTTP answer"]);
    const accepted = checkRestAnswer(c, { ...bare, status: 202, raw: Buffer.from("the-access-key-0123456789") }, "the-access-key-0123456789");
    assert.ok(accepted.some((p) => /accepted with 202/.test(p)) && accepted.some((p) => /access key came back/.test(p)));
  });
});
