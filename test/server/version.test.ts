import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useInstrumenter, type Instrumenter, type TracingContext } from "@azure/core-tracing";
import { intercept, newClient, setupNock } from "./support.js";

setupNock();

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("package version", () => {
  it("sends webpubsub-service/<package.json version> in User-Agent, after the caller's prefix", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 202 }]);
    await newClient("chat", { userAgentOptions: { userAgentPrefix: "my-app/2.0" } }).sendToAll("x");
    scope.done();
    assert.match(String(captured[0]!.headers["user-agent"]), new RegExp(`^my-app/2\\.0 webpubsub-service/${version.replace(/\./g, "\\.")} `));
  });

  it("names the package and its package.json version on each span", async () => {
    const seen: { name: string; packageName: string | undefined; packageVersion: string | undefined }[] = [];
    const noContext: TracingContext = { getValue: () => undefined, setValue: () => noContext, deleteValue: () => noContext };
    const instrumenter: Instrumenter = {
      startSpan(name, options) {
        seen.push({ name, packageName: options.packageName, packageVersion: options.packageVersion });
        const span = { setStatus() {}, setAttribute() {}, end() {}, recordException() {}, isRecording: () => false };
        return { span, tracingContext: options.tracingContext ?? noContext };
      },
      withContext: (_ctx, callback, ...args) => callback(...args),
      // A real tracer parses a traceparent; the client takes that as "someone listens" (sendLane.ts).
      parseTraceparentHeader: () => noContext,
      createRequestHeaders: () => ({}),
    };
    useInstrumenter(instrumenter);
    try {
      const { scope } = intercept([{ method: "POST", status: 202 }]);
      await newClient().sendToAll("x");
      scope.done();
    } finally {
      // Back to a no-op that, like core-tracing's default, parses nothing.
      useInstrumenter({ ...instrumenter, parseTraceparentHeader: () => undefined, startSpan: (_name, options) => ({ span: { setStatus() {}, setAttribute() {}, end() {}, recordException() {}, isRecording: () => false }, tracingContext: options.tracingContext ?? noContext }) });
    }
    const op = seen.find((s) => s.name === "WebPubSubServiceClient.sendToAll");
    assert.deepEqual(op, { name: "WebPubSubServiceClient.sendToAll", packageName: "webpubsub-service", packageVersion: version });
  });
});
