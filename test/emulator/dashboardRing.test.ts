// The dashboard's bounded log (src/emulator/dashboard/ring.ts) grows its arrays on demand up to
// its capacity; whatever the growth and wrap-around, it must hold exactly the newest
// `capacity` entries, oldest first, with their numbers, and count what it forgot.
import assert from "node:assert/strict";
import { Ring } from "../../src/emulator/dashboard/ring.js";

/** A deterministic pseudo-random sequence, so a failure replays. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe("dashboard ring", () => {
  for (const [capacity, initial] of [
    [1, 8],
    [3, 1],
    [8, 8],
    [10, 4],
    [100, 8],
    [100, 1],
  ] as const) {
    it(`keeps the newest ${capacity} entries in order, starting from arrays of ${initial}`, () => {
      const ring = new Ring<string>(capacity, initial);
      const model: [number, string, number, number][] = [];
      const random = lcg(capacity * 31 + initial);
      for (let seq = 1; seq <= 1000; seq++) {
        const a = Math.floor(random() * 1000);
        const b = -seq;
        ring.push(seq, `v${seq}`, a, b);
        model.push([seq, `v${seq}`, a, b]);
        if (model.length > capacity) model.shift();
        // Check often while it grows and wraps, then now and then.
        if (seq < 3 * capacity || random() < 0.05) {
          assert.deepEqual(ring.map((s, v, x, y) => [s, v, x, y]), model, `after ${seq} pushes`);
          assert.equal(ring.size, model.length);
          assert.equal(ring.truncated, Math.max(0, seq - capacity));
        }
      }
    });
  }

  it("refuses a capacity below one", () => {
    assert.throws(() => new Ring(0), RangeError);
    assert.throws(() => new Ring(1.5), RangeError);
  });
});
