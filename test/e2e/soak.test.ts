// A few seconds of the soak (npm run soak runs the full one): reliable clients keep every
// message, in order and once, through socket kills and silent black-holes.
import assert from "node:assert/strict";
import type { SoakClientFactory } from "../../bench/soak/clientAdapter.js";
import { reliableClientFactory } from "../../bench/soak/reliableClient.js";
import { sdkClientFactory } from "../../bench/soak/sdkClient.js";
import { runSoak, soakViolations, type SoakOptions } from "../../bench/soak/run.js";

const SHORT: Partial<SoakOptions> = {
  clients: 20,
  groupSize: 10,
  deliveries: 4_000,
  chaosEveryMs: 15,
  blackholeMs: [50, 300],
  drainTimeoutMs: 20_000,
  maxDurationMs: 150_000,
  emulator: "in-process",
};

describe("soak (short)", function () {
  this.timeout(400_000);

  it("delivers every message once and in order through kills and black-holes", async () => {
    const report = await runSoak({ ...SHORT, seed: 7 });
    assert.deepEqual(soakViolations(report), []);
    assert.equal(report.delivered, report.expected);
    assert.equal(report.expected, 4_000);
    assert.equal(report.failedRecoveries, 0);
    assert.equal(report.sequenceGaps, 0);
    // The run must really have disturbed the clients, or it proves nothing.
    assert.ok(report.kills > 0 && report.blackholes > 0, `kills ${report.kills}, black-holes ${report.blackholes}`);
    assert.ok(report.recoveries >= report.kills, `recoveries ${report.recoveries} < kills ${report.kills}`);
  });

  it("delivers every message once and in order to the project's client SDK through kills and black-holes", async () => {
    const report = await runSoak({ ...SHORT, clients: 10, deliveries: 1_000, chaosEveryMs: 40, factory: sdkClientFactory, seed: 3 });
    assert.deepEqual(soakViolations(report), []);
    assert.equal(report.delivered, 1_000);
    assert.equal(report.failedRecoveries, 0);
    assert.ok(report.kills > 0 && report.recoveries > 0, `kills ${report.kills}, recoveries ${report.recoveries}`);
  });

  it("reports loss, duplicates and reordering when a client mishandles its stream", async () => {
    // A client that drops one message in 50, hands another up twice, and swaps a pair.
    const broken: SoakClientFactory = {
      name: "broken",
      create: (options) => {
        let count = 0;
        let held: unknown;
        return reliableClientFactory.create({
          ...options,
          onMessage: (group, data) => {
            count++;
            if (count % 50 === 0) return;
            if (count % 50 === 10) options.onMessage(group, data);
            if (count % 50 === 20) {
              held = data;
              return;
            }
            options.onMessage(group, data);
            if (count % 50 === 21) options.onMessage(group, held);
          },
        });
      },
    };
    const report = await runSoak({
      ...SHORT,
      clients: 10,
      deliveries: 1_000,
      chaosEveryMs: 1_000,
      drainTimeoutMs: 1_000,
      factory: broken,
    });
    assert.equal(report.lost, 10 * 2); // 100 messages per client, one in 50 dropped
    assert.equal(report.duplicated, 10 * 2);
    assert.equal(report.outOfOrder, 10 * 2);
    const violations = soakViolations(report).join("\n");
    for (const word of ["lost", "duplicated", "out of order", "had not caught up"]) assert.match(violations, new RegExp(word));
  });
});
