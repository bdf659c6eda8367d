// A fixed-size log that forgets its oldest entries: traffic and per-connection timelines
// stay bounded however long the emulator runs. Entries keep their sequence numbers beside
// them, so recording an event allocates nothing.

/** A bounded log of values with their sequence numbers, oldest first. */
export class Ring<T> {
  private readonly values: (T | undefined)[];
  private readonly seqs: number[];
  private start = 0;
  private count = 0;
  /** How many entries were forgotten to stay within the capacity. */
  truncated = 0;

  constructor(readonly capacity: number) {
    this.values = new Array<T | undefined>(capacity);
    this.seqs = new Array<number>(capacity).fill(0);
  }

  /** Appends one entry, forgetting the oldest when full. */
  push(seq: number, value: T): void {
    const at = (this.start + this.count) % this.capacity;
    if (this.count === this.capacity) {
      this.start = (this.start + 1) % this.capacity;
      this.truncated++;
    } else {
      this.count++;
    }
    this.values[at] = value;
    this.seqs[at] = seq;
  }

  /** Number of entries held. */
  get size(): number {
    return this.count;
  }

  /** The entries, oldest first, each built by `build(seq, value)`. */
  map<R>(build: (seq: number, value: T) => R): R[] {
    const out: R[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % this.capacity;
      out.push(build(this.seqs[at]!, this.values[at] as T));
    }
    return out;
  }
}
