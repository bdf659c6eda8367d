// Sequence bookkeeping of json.reliable.webpubsub.azure.v1 (docs/protocol.md#reliable-protocol):
// the service numbers every message from 1 and keeps it until acked; the client drops
// duplicates (replays after a recovery) and acks the highest id it holds without a gap.
import type { SequenceAckFrame } from "./frames.js";

/** Client side: which messages arrived, and the sequenceAck to send. */
export class SequenceReceiver {
  private latestId = 0;
  private lastAcked = 0;
  // Ids above a gap; the service sends in order, so this stays empty unless a peer skips ids.
  private readonly ahead = new Set<number>();

  /** Records a message's id; false when it was already seen (drop the message). */
  accept(sequenceId: number): boolean {
    if (!Number.isSafeInteger(sequenceId) || sequenceId <= this.latestId || this.ahead.has(sequenceId)) return false;
    if (sequenceId !== this.latestId + 1) {
      this.ahead.add(sequenceId);
      return true;
    }
    this.latestId = sequenceId;
    while (this.ahead.delete(this.latestId + 1)) this.latestId++;
    return true;
  }

  /** The highest id received with every id below it received too (0 = none). */
  get latest(): number {
    return this.latestId;
  }

  /** The sequenceAck to send if {@link latest} moved since the last one; undefined otherwise. */
  ackNeeded(): SequenceAckFrame | undefined {
    if (this.latestId === this.lastAcked) return undefined;
    this.lastAcked = this.latestId;
    return { type: "sequenceAck", sequenceId: this.latestId };
  }
}

/** Service side: numbers outgoing items and keeps them until the client acks them, for replay. */
export class SequenceSender<T> {
  private nextId = 1;
  private items: { id: number; item: T; weight: number }[] = [];
  // Index of the oldest unacked item; the array is compacted now and then instead of shift()ed.
  private head = 0;
  private totalWeight = 0;

  /** Keeps `item` under the next id and returns that id. `weight` (e.g. bytes) adds to {@link weight}. */
  push(item: T, weight = 0): number {
    const id = this.nextId++;
    this.items.push({ id, item, weight });
    this.totalWeight += weight;
    return id;
  }

  /**
   * Releases every item up to `sequenceId`. False when `sequenceId` is above the last id
   * sent: the client claims what it cannot have, a protocol error (nothing is released).
   */
  ack(sequenceId: number): boolean {
    if (!Number.isSafeInteger(sequenceId) || sequenceId < 0 || sequenceId > this.lastId) return false;
    while (this.head < this.items.length && this.items[this.head]!.id <= sequenceId) {
      this.totalWeight -= this.items[this.head]!.weight;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  /** Unacked items, oldest first, with their ids. */
  *unacked(): IterableIterator<[number, T]> {
    for (let i = this.head; i < this.items.length; i++) yield [this.items[i]!.id, this.items[i]!.item];
  }

  /** Number of unacked items. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Sum of the weights of unacked items. */
  get weight(): number {
    return this.totalWeight;
  }

  /** The last id handed out (0 before the first push). */
  get lastId(): number {
    return this.nextId - 1;
  }
}
