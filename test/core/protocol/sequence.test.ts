import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SequenceReceiver, SequenceSender } from "../../../src/core/index.js";

// A real collection, to see what the sender still references (flag set before the first use).
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

describe("protocol sequence bookkeeping", () => {
  describe("SequenceSender", () => {
    it("numbers items from 1 and keeps them until acked", () => {
      const s = new SequenceSender<string>();
      assert.equal(s.lastId, 0);
      assert.deepEqual([s.push("a"), s.push("b"), s.push("c")], [1, 2, 3]);
      assert.equal(s.size, 3);
      assert.equal(s.ack(2), true);
      assert.deepEqual([...s.unacked()], [[3, "c"]]);
      assert.equal(s.size, 1);
    });

    it("refuses an ack above the last id sent and releases nothing", () => {
      const s = new SequenceSender<string>();
      s.push("a");
      assert.equal(s.ack(2), false);
      assert.equal(s.ack(Number.MAX_SAFE_INTEGER), false);
      assert.equal(s.ack(-1), false);
      assert.equal(s.ack(1.5), false);
      assert.equal(s.size, 1);
      assert.equal(new SequenceSender().ack(1), false);
    });

    it("accepts stale and repeated acks as no-ops", () => {
      const s = new SequenceSender<number>();
      for (let i = 0; i < 5; i++) s.push(i);
      assert.equal(s.ack(3), true);
      assert.equal(s.ack(1), true);
      assert.equal(s.ack(0), true);
      assert.deepEqual([...s.unacked()].map(([id]) => id), [4, 5]);
    });

    it("tracks the weight of unacked items", () => {
      const s = new SequenceSender<string>();
      s.push("a", 10);
      s.push("b", 5);
      assert.equal(s.weight, 15);
      s.ack(1);
      assert.equal(s.weight, 5);
    });

    it("keeps ids and replay order through compaction of a long backlog", () => {
      const s = new SequenceSender<number>();
      for (let i = 1; i <= 5000; i++) s.push(i);
      s.ack(4000);
      assert.equal(s.size, 1000);
      assert.equal(s.push(5001), 5001);
      const ids = [...s.unacked()].map(([id, item]) => (assert.equal(id, item), id));
      assert.deepEqual(ids, Array.from({ length: 1001 }, (_, i) => 4001 + i));
    });

    it("lets acked items be collected at once, not after a batch of acks", async () => {
      const s = new SequenceSender<{ n: number }>();
      const refs: WeakRef<{ n: number }>[] = [];
      for (let n = 1; n <= 10; n++) {
        const item = { n };
        refs.push(new WeakRef(item));
        s.push(item);
      }
      s.ack(9);
      // WeakRef targets stay alive until the current job ends.
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      assert.deepEqual(
        refs.map((r) => r.deref()?.n),
        [...Array<undefined>(9).fill(undefined), 10],
      );
      assert.deepEqual([...s.unacked()].map(([id, item]) => [id, item.n]), [[10, 10]]);
    });

    it("grows with the backlog and shrinks back when it is acked", () => {
      const s = new SequenceSender<number>();
      const idle = s.capacity;
      for (let i = 1; i <= 1000; i++) s.push(i);
      assert.ok(s.capacity >= 1000 && s.capacity <= 2048, `capacity ${s.capacity}`);
      s.ack(1000);
      assert.equal(s.capacity, idle);
      assert.equal(s.size, 0);
      assert.equal(s.weight, 0);
    });

    it("matches a plain list under random pushes and acks across the ring's wrap", () => {
      const s = new SequenceSender<number>();
      const model: { id: number; weight: number }[] = [];
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let step = 0; step < 20_000; step++) {
        if (random() < 0.55) {
          const weight = Math.floor(random() * 10);
          model.push({ id: s.push(s.lastId + 1, weight), weight });
        } else {
          const upTo = s.lastId - Math.floor(random() * (model.length + 2));
          assert.equal(s.ack(Math.max(0, upTo)), true);
          while (model.length > 0 && model[0]!.id <= upTo) model.shift();
        }
        if (step % 997 === 0 || step === 19_999) {
          assert.deepEqual([...s.unacked()], model.map((m) => [m.id, m.id]));
          assert.equal(s.weight, model.reduce((sum, m) => sum + m.weight, 0));
        }
        assert.equal(s.size, model.length);
      }
    });
  });

  describe("SequenceReceiver", () => {
    it("accepts new ids, drops duplicates and acks only when latest moved", () => {
      const r = new SequenceReceiver();
      assert.equal(r.ackNeeded(), undefined);
      assert.equal(r.accept(1), true);
      assert.equal(r.accept(2), true);
      assert.equal(r.accept(2), false);
      assert.equal(r.accept(1), false);
      assert.equal(r.latest, 2);
      assert.deepEqual(r.ackNeeded(), { type: "sequenceAck", sequenceId: 2 });
      assert.equal(r.ackNeeded(), undefined);
    });

    it("does not ack past a gap until the missing id arrives", () => {
      const r = new SequenceReceiver();
      r.accept(1);
      assert.equal(r.accept(3), true);
      assert.equal(r.latest, 1);
      assert.equal(r.accept(3), false);
      assert.equal(r.accept(2), true);
      assert.equal(r.latest, 3);
      assert.deepEqual(r.ackNeeded(), { type: "sequenceAck", sequenceId: 3 });
    });

    it("drops ids that are not positive safe integers", () => {
      const r = new SequenceReceiver();
      assert.equal(r.accept(0), false);
      assert.equal(r.accept(-1), false);
      assert.equal(r.accept(1.5), false);
      assert.equal(r.latest, 0);
    });

    it("works against a sender: replay after a drop delivers each item once", () => {
      const s = new SequenceSender<string>();
      const r = new SequenceReceiver();
      const got: string[] = [];
      for (const x of ["a", "b", "c"]) {
        const id = s.push(x);
        if (id !== 3 && r.accept(id)) got.push(x); // 3 is lost with the socket
      }
      assert.equal(s.ack(r.ackNeeded()!.sequenceId), true);
      for (const [id, x] of s.unacked()) if (r.accept(id)) got.push(x);
      assert.deepEqual(got, ["a", "b", "c"]);
    });
  });
});
