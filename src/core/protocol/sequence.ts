// Sequence bookkeeping of json.reliable.webpubsub.azure.v1 (docs/protocol.md#reliable-protocol):
// the service numbers every message from 1 and keeps it until acked; the client drops
// duplicates (replays after a recovery) and acks the highest id it holds without a gap.
import type { SequenceAckFrame } from "./frames.js";

/** Client side: which messages arrived, and the sequenceAck to send. */
export class SequenceReceiver {
  #latestId = 0;
  #lastAcked = 0;
  // Ids above a gap; the service sends in order, so this stays empty unless a peer skips ids.
  readonly #ahead = new Set<number>();

  /** Records a message's id; false when it was already seen (drop the message). */
  accept(sequenceId: number): boolean {
    if (!Number.isSafeInteger(sequenceId) || sequenceId <= this.#latestId || this.#ahead.has(sequenceId)) return false;
    if (sequenceId !== this.#latestId + 1) {
      this.#ahead.add(sequenceId);
      return true;
    }
    this.#latestId = sequenceId;
    while (this.#ahead.delete(this.#latestId + 1)) this.#latestId++;
    return true;
  }

  /** The highest id received with every id below it received too (0 = none). */
  get latest(): number {
    return this.#latestId;
  }

  /** The sequenceAck to send if {@link latest} moved since the last one; undefined otherwise. */
  ackNeeded(): SequenceAckFrame | undefined {
    if (this.#latestId === this.#lastAcked) return undefined;
    this.#lastAcked = this.#latestId;
    return { type: "sequenceAck", sequenceId: this.#latestId };
  }
}

// Slots of an empty sender: small, as most connections are idle most of the time.
const MIN_CAPACITY = 8;

/**
 * Service side: numbers outgoing items and keeps them until the client acks them, for replay.
 * Items live in a ring buffer: an ack clears its slots at once (nothing acked stays
 * referenced), push and ack are amortized O(1), and the buffer shrinks as acks drain it.
 */
export class SequenceSender<T> {
  private nextId = 1;
  // Slot i holds the item with id `firstId + ((i - head) mod capacity)`; empty slots hold undefined.
  private items: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  private weights: number[] = new Array<number>(MIN_CAPACITY).fill(0);
  private head = 0;
  private count = 0;
  private totalWeight = 0;

  /** Keeps `item` under the next id and returns that id. `weight` (e.g. bytes) adds to {@link weight}. */
  push(item: T, weight = 0): number {
    if (this.count === this.items.length) this.resize(this.items.length * 2);
    const slot = (this.head + this.count) % this.items.length;
    this.items[slot] = item;
    this.weights[slot] = weight;
    this.count++;
    this.totalWeight += weight;
    return this.nextId++;
  }

  /**
   * Releases every item up to `sequenceId`. False when `sequenceId` is above the last id
   * sent: the client claims what it cannot have, a protocol error (nothing is released).
   */
  ack(sequenceId: number): boolean {
    if (!Number.isSafeInteger(sequenceId) || sequenceId < 0 || sequenceId > this.lastId) return false;
    // Ids are consecutive, so the unacked ones are the last `count` handed out.
    let release = Math.min(this.count, sequenceId - (this.nextId - 1 - this.count));
    while (release-- > 0) {
      this.totalWeight -= this.weights[this.head]!;
      this.items[this.head] = undefined;
      this.weights[this.head] = 0;
      this.head = (this.head + 1) % this.items.length;
      this.count--;
    }
    // Shrinking at a quarter (not a half) keeps push/ack at the boundary from copying each time.
    let capacity = this.items.length;
    while (capacity > MIN_CAPACITY && this.count * 4 <= capacity) capacity /= 2;
    if (capacity !== this.items.length) this.resize(capacity);
    return true;
  }

  /** Unacked items, oldest first, with their ids. */
  *unacked(): IterableIterator<[number, T]> {
    const firstId = this.nextId - this.count;
    for (let i = 0; i < this.count; i++) yield [firstId + i, this.items[(this.head + i) % this.items.length] as T];
  }

  /** Number of unacked items. */
  get size(): number {
    return this.count;
  }

  /** Slots allocated for unacked items (grows and shrinks by doubling; at least a few). */
  get capacity(): number {
    return this.items.length;
  }

  /** Sum of the weights of unacked items. */
  get weight(): number {
    return this.totalWeight;
  }

  /** The last id handed out (0 before the first push). */
  get lastId(): number {
    return this.nextId - 1;
  }

  private resize(capacity: number): void {
    const items = new Array<T | undefined>(capacity);
    const weights = new Array<number>(capacity).fill(0);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.items.length;
      items[i] = this.items[from];
      weights[i] = this.weights[from]!;
    }
    this.items = items;
    this.weights = weights;
    this.head = 0;
  }
}
