// Root hooks for every mocha run (loaded from .mocharc.json).
// - One notice at the very top when an optional suite will be skipped, so the reason is not
//   buried among its pending tests.
// - A leak check: mocha runs without `exit: true`, so a test that leaves a server, socket or
//   timer behind would keep the process alive. After the last test, if the process is still
//   running LEAK_GRACE_MS later, list what holds it and fail the run.
"use strict";
const { existsSync } = require("node:fs");
const path = require("node:path");

// Where test/spec/conformance.test.ts looks for the swagger files (same rule).
const REFERENCE_DIR = path.resolve(process.env.WPS_REFERENCE_OPENAPI ?? path.join(__dirname, "../../../shared/reference/openapi"));
// @azure/web-pubsub-client 1.1.0 keeps its keepalive delays (20 s and 40 s, not abortable:
// AbortableTask awaits delay() without the signal) running after stop(); tests that use it as
// its README teaches leave them behind. The grace outlasts them; a real leak still fails.
const LEAK_GRACE_MS = 45_000;

/** The notice line, or undefined when the conformance suite can run. */
function conformanceNotice(referenceDir = REFERENCE_DIR) {
  if (existsSync(referenceDir)) return undefined;
  return `Note: the spec conformance suite (test/spec/conformance.test.ts) is skipped: it needs the official swagger files at ${referenceDir}/<api-version>/webpubsub.json.`;
}

function describeHandle(h) {
  const name = h?.constructor?.name ?? typeof h;
  if (name === "Socket" && h.remotePort) return `Socket ${h.localAddress}:${h.localPort} -> ${h.remoteAddress}:${h.remotePort}`;
  if (name === "Server" && typeof h.address === "function") return `Server listening on ${JSON.stringify(h.address())}`;
  if (name === "ChildProcess") return `ChildProcess ${h.pid} (${h.spawnfile})`;
  if (name === "Timeout") return `Timer of ${h._idleTimeout} ms: ${String(h._onTimeout).slice(0, 120).replace(/\s+/g, " ")}`;
  return name;
}

exports.conformanceNotice = conformanceNotice;
exports.mochaHooks = {
  beforeAll() {
    const notice = conformanceNotice();
    if (notice) console.log(notice);
  },
  afterAll() {
    const timer = setTimeout(() => {
      const ours = process._getActiveHandles().filter((h) => h !== process.stdout && h !== process.stderr && h !== process.stdin && h !== timer);
      console.error(`\nLeak: the process is still running ${LEAK_GRACE_MS / 1000} s after the last test. Open handles:`);
      for (const h of ours) console.error(`  - ${describeHandle(h)}`);
      // Timers and pending requests are not handles; name their kinds at least.
      const kinds = process.getActiveResourcesInfo().filter((kind) => kind !== "TTYWrap");
      console.error(`  resources: ${kinds.join(", ") || "none"}`);
      // Mocha's own 'exit' listener sets the exit code to the failure count; this one runs after it.
      process.on("exit", () => (process.exitCode = 1));
      process.exit(1);
    }, LEAK_GRACE_MS);
    // Unref'd: it fires only if something else keeps the process alive.
    timer.unref();
  },
};
