import assert from "node:assert/strict";
import { AckMemory } from "../../src/emulator/ws/ackMemory.js";

// The reference: the latest `capacity` distinct ids remembered, in arrival order.
class ModelMemory {
  private readonly ids: number[] = [];
  constructor(private readonly capacity: number) {}
  has(id: number): boolean {
    return this.ids.includes(id);
  }
  remember(id: number): void {
    if (this.ids.includes(id)) return;
    this.ids.push(id);
    if (this.ids.length > this.capacity) this.ids.shift();
  }
}

describe("emulator AckMemory", () => {
  it("remembers ascending ids and forgets the oldest past its capacity", () => {
    const memory = new AckMemory(4);
    for (const id of [1, 2, 5, 9]) memory.remember(id);
    for (const id of [1, 2, 5, 9]) assert.equal(memory.has(id), true, `id ${id}`);
    for (const id of [0, 3, 4, 6, 10]) assert.equal(memory.has(id), false, `id ${id}`);
    memory.remember(12);
    memory.remember(13);
    assert.equal(memory.has(1), false);
    assert.equal(memory.has(2), false);
    for (const id of [5, 9, 12, 13]) assert.equal(memory.has(id), true, `id ${id}`);
  });

  it("still answers right once an id arrives out of order (a retry of a failed request)", () => {
    const memory = new AckMemory(3);
    for (const id of [10, 20, 30]) memory.remember(id);
    memory.remember(15);
    assert.equal(memory.has(10), false, "10 was forgotten to make room for 15");
    for (const id of [15, 20, 30]) assert.equal(memory.has(id), true, `id ${id}`);
    memory.remember(20); // already there: nothing is forgotten
    assert.equal(memory.has(20), true);
    memory.remember(40);
    assert.equal(memory.has(20), false);
    for (const id of [15, 30, 40]) assert.equal(memory.has(id), true, `id ${id}`);
  });

  it("agrees with a plain model over mixed orders and repeats", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const capacity of [1, 2, 5, 64]) {
      const memory = new AckMemory(capacity);
      const model = new ModelMemory(capacity);
      let next = 0;
      for (let step = 0; step < 3000; step++) {
        // Mostly ascending, as clients number requests; sometimes a repeat or an old id.
        const roll = random();
        const id = roll < 0.8 ? (next += 1 + Math.floor(random() * 3)) : Math.floor(random() * (next + 2));
        const probe = Math.floor(random() * (next + 3));
        assert.equal(memory.has(probe), model.has(probe), `capacity ${capacity}, step ${step}, has(${probe})`);
        memory.remember(id);
        model.remember(id);
      }
    }
  });
});
