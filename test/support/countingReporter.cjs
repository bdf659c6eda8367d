// Spec output for people, plus a JSON tally for .ci/run (CI reads no mocha summary).
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountingReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const out = process.env.MOCHA_COUNTS_FILE;
    runner.once(EVENT_RUN_END, () => {
      if (!out) return;
      const s = runner.stats ?? {};
      fs.writeFileSync(
        out,
        JSON.stringify({ passes: s.passes ?? 0, failures: s.failures ?? 0, pending: s.pending ?? 0 }) + "\n",
      );
    });
  }
}
module.exports = CountingReporter;
