import assert from "node:assert/strict";
import { useInstrumenter, type Instrumenter, type TracingContext, type TracingSpan } from "@azure/core-tracing";
import { intercept, newClient, setupNock } from "./support.js";

setupNock();

function context(values = new Map<symbol, unknown>()): TracingContext {
  return {
    getValue: (k) => values.get(k),
    setValue: (k, v) => context(new Map(values).set(k, v)),
    deleteValue: (k) => {
      const next = new Map(values);
      next.delete(k);
      return context(next);
    },
  };
}

function recordingInstrumenter(spans: { name: string; status?: string; ended: boolean }[], recording = true): Instrumenter {
  return {
    startSpan(name, options) {
      const record: { name: string; status?: string; ended: boolean } = { name, ended: false };
      spans.push(record);
      const span: TracingSpan = {
        setStatus: (s) => void (record.status = s.status),
        setAttribute: () => {},
        end: () => void (record.ended = true),
        recordException: () => {},
        isRecording: () => recording,
      };
      return { span, tracingContext: options.tracingContext ?? context() };
    },
    withContext: (_ctx, callback, ...args) => callback(...args),
    parseTraceparentHeader: () => undefined,
    createRequestHeaders: () => ({}),
  };
}

describe("tracing", () => {
  const spans: { name: string; status?: string; ended: boolean }[] = [];
  before(() => useInstrumenter(recordingInstrumenter(spans)));
  // Back to a recorder nobody reads: as inert as the default no-op instrumenter.
  // (its spans do not record, like the default's, so later suites take the same paths as without a tracer).
  after(() => useInstrumenter(recordingInstrumenter([], false)));
  beforeEach(() => (spans.length = 0));

  it("opens one ended WebPubSubServiceClient.<operation> span per call, with success status", async () => {
    const { scope } = intercept([{ method: "POST", status: 202 }]);
    await newClient().sendToAll("x");
    scope.done();
    const op = spans.filter((s) => s.name.startsWith("WebPubSubServiceClient."));
    assert.deepEqual(op, [{ name: "WebPubSubServiceClient.sendToAll", status: "success", ended: true }]);
  });

  it("opens one HTTP client span per attempt, error-marked for a 4xx", async () => {
    const { captured, scope } = intercept([
      { method: "POST", status: 429, headers: { "retry-after": "0" } },
      { method: "POST", status: 400 },
    ]);
    await assert.rejects(newClient().sendToAll("x"));
    scope.done();
    assert.deepEqual(
      spans.filter((s) => s.name.startsWith("HTTP")),
      [
        { name: "HTTP POST", status: "error", ended: true },
        { name: "HTTP POST", status: "error", ended: true },
      ],
    );
    assert.equal(captured.length, 2);
  });

  it("marks the span as an error when the call fails", async () => {
    const { scope } = intercept([{ method: "PUT", status: 403 }]);
    await assert.rejects(newClient().addUserToGroup("g", "u"));
    scope.done();
    const op = spans.find((s) => s.name === "WebPubSubServiceClient.addUserToGroup");
    assert.equal(op?.status, "error");
    assert.equal(op?.ended, true);
  });
});
