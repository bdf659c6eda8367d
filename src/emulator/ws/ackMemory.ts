// The ackIds one connection has processed, so a retried request is answered `Duplicate`
// instead of run twice (docs/protocol.md#acks). Bounded: retries come soon after a drop,
// so only the latest ids are kept.
//
// The ring holds ids in arrival order, so forgetting the oldest is O(1). Clients number
// their requests upwards, and while every remembered id is above the one before, the ring
// is sorted and is the whole memory: an id above the last is new, any other is found by
// binary search. A Set churned by one add and one delete per request cost more than the
// rest of the ack's handling; it is built only when an id arrives out of order, and answers
// from then on.

/** ackIds kept per connection. */
export const MAX_REMEMBERED_ACKS = 10_000;

/** The latest processed ackIds of one connection. */
export class AckMemory {
  private readonly ring: number[] = [];
  // Index of the oldest id once the ring is full (0 until then).
  private head = 0;
  private last = -1;
  private set: Set<number> | undefined;

  constructor(private readonly capacity = MAX_REMEMBERED_ACKS) {}

  /** True when `ackId` was remembered and not yet forgotten. */
  has(ackId: number): boolean {
    if (this.set !== undefined) return this.set.has(ackId);
    return ackId <= this.last && this.sortedHas(ackId);
  }

  /** Remembers `ackId`, forgetting the oldest past the capacity. */
  remember(ackId: number): void {
    if (this.set === undefined) {
      if (ackId > this.last) {
        this.last = ackId;
        this.push(ackId);
        return;
      }
      if (this.sortedHas(ackId)) return;
      this.set = new Set(this.ring);
    }
    if (this.set.has(ackId)) return;
    this.set.add(ackId);
    const forgotten = this.push(ackId);
    if (forgotten !== undefined) this.set.delete(forgotten);
  }

  // Appends; returns the id forgotten to make room, if any.
  private push(ackId: number): number | undefined {
    const ring = this.ring;
    if (ring.length < this.capacity) {
      ring.push(ackId);
      return undefined;
    }
    const forgotten = ring[this.head]!;
    ring[this.head] = ackId;
    this.head = (this.head + 1) % this.capacity;
    return forgotten;
  }

  // Binary search of the ring while it ascends from `head` round to `head - 1`.
  private sortedHas(ackId: number): boolean {
    const ring = this.ring;
    const n = ring.length;
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = ring[(this.head + mid) % n]!;
      if (value === ackId) return true;
      if (value < ackId) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
