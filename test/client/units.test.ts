// The client's small parts on their own: retry delays, the emitter, pending requests.
import assert from "node:assert/strict";
import { PendingRequests, sleep } from "../../src/client/ackTracker.js";
import { Emitter } from "../../src/client/emitter.js";
import { resolveRetryOptions, retryDelay } from "../../src/client/retry.js";
import { WebPubSubClient } from "../../src/client/index.js";

describe("client retry policy", () => {
  const defaults = { maxRetries: 3, retryDelayInMs: 1000, maxRetryDelayInMs: 30_000, mode: "Fixed" as const };

  it("waits the same delay in Fixed mode until retries are used up", () => {
    const o = resolveRetryOptions("r", { retryDelayInMs: 200 }, defaults);
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(o, n)), [200, 200, 200, undefined]);
  });

  it("doubles in Exponential mode up to the cap", () => {
    const o = resolveRetryOptions("r", { mode: "Exponential", retryDelayInMs: 100, maxRetryDelayInMs: 500, maxRetries: 6 }, defaults);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(o, n)), [100, 200, 400, 500, 500, 500, undefined]);
  });

  it("stays finite for a huge attempt number with unlimited retries", () => {
    const o = resolveRetryOptions("r", { mode: "Exponential", maxRetries: Infinity }, defaults);
    assert.equal(retryDelay(o, 10_000), 30_000);
  });

  it("keeps defaults for undefined fields and refuses bad ones", () => {
    assert.deepEqual(resolveRetryOptions("r", { maxRetries: undefined } as never, defaults), defaults);
    assert.throws(() => resolveRetryOptions("r", { maxRetries: -1 }, defaults), { code: "WPS_ERR_INVALID_ARGUMENT", message: /r\.maxRetries/ });
    assert.throws(() => resolveRetryOptions("r", { retryDelayInMs: Infinity }, defaults), { code: "WPS_ERR_INVALID_ARGUMENT" });
  });
});

describe("client emitter", () => {
  it("calls listeners in order, twice when added twice, and off removes one registration", () => {
    const e = new Emitter<{ x: number }>();
    const calls: string[] = [];
    const a = (n: number) => calls.push(`a${n}`);
    e.on("x", a);
    e.on("x", (n) => calls.push(`b${n}`));
    e.on("x", a);
    e.emit("x", 1);
    e.off("x", a);
    e.emit("x", 2);
    assert.deepEqual(calls, ["a1", "b1", "a1", "a2", "b2"]);
  });

  it("lets a listener remove itself during emit without skipping the next one", () => {
    const e = new Emitter<{ x: number }>();
    const calls: string[] = [];
    const once = () => {
      calls.push("once");
      e.off("x", once);
    };
    e.on("x", once);
    e.on("x", () => calls.push("next"));
    e.emit("x", 0);
    e.emit("x", 0);
    assert.deepEqual(calls, ["once", "next", "next"]);
  });

  it("refuses a listener that is not a function", () => {
    assert.throws(() => new Emitter<{ x: number }>().on("x", 1 as never), { code: "WPS_ERR_INVALID_ARGUMENT" });
  });
});

describe("client pending requests", () => {
  // Errors say which request failed, with which code and why.
  const tracker = () =>
    new PendingRequests<number, string>((key, code, why, cause) => Object.assign(new Error(`${key} ${code} ${why}`), { key, code, cause }));

  it("settles each request once: answer, timeout, abort, failure or in bulk", async () => {
    const p = tracker();
    const answered = p.add(1);
    assert.equal(p.resolve(1, "ok"), true);
    assert.equal(p.resolve(1, "again"), false, "a late answer finds nothing");
    assert.equal(await answered, "ok");

    const timed = p.add(2);
    p.arm(2, 20);
    await assert.rejects(timed, { message: "2 WPS_ERR_ACK_TIMEOUT got no answer within 20 ms" });
    assert.equal(p.has(2), false);

    const ac = new AbortController();
    const aborted = p.add(3, ac.signal);
    ac.abort();
    await assert.rejects(aborted, { message: "3 WPS_ERR_ABORTED was aborted" });

    const failed = p.add(6);
    const cause = new Error("socket");
    assert.equal(p.fail(6, "WPS_ERR_CONNECTION_LOST", "was not sent", cause), true);
    assert.equal(p.fail(6, "WPS_ERR_CONNECTION_LOST", "again"), false, "settled once");
    await assert.rejects(failed, { message: "6 WPS_ERR_CONNECTION_LOST was not sent", cause });

    const a = p.add(4);
    const b = p.add(5);
    p.rejectAll("WPS_ERR_CLOSED", "lost");
    await assert.rejects(a, { message: "4 WPS_ERR_CLOSED lost" });
    await assert.rejects(b, { message: "5 WPS_ERR_CLOSED lost" });
    assert.equal(p.size, 0);
  });

  it("clears the timer when answered, so nothing fires later", async () => {
    const p = tracker();
    const r = p.add(1);
    p.arm(1, 30);
    p.resolve(1, "ok");
    assert.equal(await r, "ok");
    await sleep(50, undefined, () => new Error("x"));
    assert.equal(p.size, 0);
  });

  it("fails each unanswered request at its own deadline through the one shared timer", async () => {
    const p = tracker();
    const failedAt = new Map<number, number>();
    const started = performance.now();
    const watch = (key: number, answer: Promise<string>) =>
      answer.then(
        () => undefined,
        () => void failedAt.set(key, performance.now() - started),
      );
    const waits = [1, 2, 3, 4].map((key) => watch(key, p.add(key)));
    p.arm(1, 150);
    p.arm(2, 40); // shorter than the timer already set: must fire first
    p.arm(3, 40);
    p.arm(4, 40);
    p.resolve(3, "answered");
    p.arm(4, 300); // re-armed: the first deadline no longer counts
    await Promise.all(waits);
    assert.deepEqual([...failedAt.keys()], [2, 1, 4], "in deadline order; the answered one never fails");
    assert.ok(failedAt.get(2)! >= 39, `2 failed at ${failedAt.get(2)} ms`);
    assert.ok(failedAt.get(1)! >= 149, `1 failed at ${failedAt.get(1)} ms`);
    assert.ok(failedAt.get(4)! >= 299, `4 failed at ${failedAt.get(4)} ms`);
    assert.equal(p.size, 0);
  });

  it("keeps failing requests after an answer emptied it and new ones were armed", async () => {
    const p = tracker();
    const first = p.add(1);
    p.arm(1, 20);
    p.resolve(1, "ok");
    assert.equal(await first, "ok");
    const second = p.add(2);
    p.arm(2, 20);
    await assert.rejects(second, { code: "WPS_ERR_ACK_TIMEOUT", key: 2 });
  });

  it("sleep rejects at once when its signal aborts", async () => {
    const ac = new AbortController();
    const s = sleep(10_000, ac.signal, () => new Error("stopped"));
    ac.abort();
    await assert.rejects(s, { message: "stopped" });
  });
});

describe("client sequence acks", () => {
  // A socket the test feeds by hand: the client's frames land in `sent`.
  async function fedClient() {
    const sent: string[] = [];
    let socket!: { onmessage(e: { data: string }): void };
    class FedSocket {
      readyState = 0;
      onopen: ((e: unknown) => void) | null = null;
      onmessage: ((e: { data: string }) => void) | null = null;
      onclose: ((e: unknown) => void) | null = null;
      onerror: ((e: unknown) => void) | null = null;
      constructor() {
        socket = this as never;
        setTimeout(() => {
          this.readyState = 1;
          this.onopen?.({});
          this.onmessage?.({ data: '{"type":"system","event":"connected","connectionId":"c","reconnectionToken":"t"}' });
        }, 1);
      }
      send(data: string): void {
        sent.push(data);
      }
      close(code = 1000): void {
        this.readyState = 3;
        setTimeout(() => this.onclose?.({ code, reason: "" }), 0);
      }
    }
    const client = new WebPubSubClient("ws://127.0.0.1:1/client/hubs/h?access_token=x", { webSocket: FedSocket as never, keepAliveIntervalInMs: 0 });
    await client.start();
    const burst = (from: number, count: number) => {
      for (let id = from; id < from + count; id++) {
        socket.onmessage({ data: `{"sequenceId":${id},"type":"message","from":"server","dataType":"text","data":"m"}` });
      }
    };
    const acks = () => sent.filter((f) => f.includes("sequenceAck")).map((f) => JSON.parse(f).sequenceId as number);
    return { client, burst, acks };
  }

  it("acks every 100 messages, and at the end of a burst of 10 or more", async () => {
    const { client, burst, acks } = await fedClient();
    burst(1, 105);
    assert.deepEqual(acks(), [100], "the count acks inside the burst");
    await Promise.resolve();
    assert.deepEqual(acks(), [100], "5 since the last ack: left to the timer");
    burst(106, 12);
    assert.deepEqual(acks(), [100]);
    await Promise.resolve();
    assert.deepEqual(acks(), [100, 117], "a burst of 12 ends with an ack");
    await client.stop();
  });
});
