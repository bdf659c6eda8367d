import assert from "node:assert/strict";
import { SequenceReceiver, SequenceSender } from "../../../src/core/index.js";

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
