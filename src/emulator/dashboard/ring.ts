// A fixed-size log that forgets its oldest entries: traffic and per-connection timelines
// stay bounded however long the emulator runs. Entries keep their sequence numbers (and
// two optional numbers) beside them in typed arrays, so recording allocates nothing, and a
// caller can store a shared marker plus numbers instead of keeping an object alive: objects
// that live through a few garbage collections are what makes recording expensive.

/** A bounded log of values with their sequence numbers, oldest first. */
export class Ring<T> {
  private readonly values: (T | undefined)[];
  private readonly seqs: Float64Array;
  private readonly numbers: Float64Array;
  private start = 0;
  private count = 0;
  /** How many entries were forgotten to stay within the capacity. */
  truncated = 0;

  constructor(readonly capacity: number) {
    this.values = new Array<T | undefined>(capacity);
    this.seqs = new Float64Array(capacity);
    this.numbers = new Float64Array(capacity * 2);
  }

  /** Appends one entry (with up to two numbers), forgetting the oldest when full. */
  push(seq: number, value: T, a = 0, b = 0): void {
    const at = (this.start + this.count) % this.capacity;
    if (this.count === this.capacity) {
      this.start = (this.start + 1) % this.capacity;
      this.truncated++;
    } else {
      this.count++;
    }
    this.values[at] = value;
    this.seqs[at] = seq;
    this.numbers[2 * at] = a;
    this.numbers[2 * at + 1] = b;
  }

  /** Number of entries held. */
  get size(): number {
    return this.count;
  }

  /** The entries, oldest first, each built by `build(seq, value, a, b)`. */
  map<R>(build: (seq: number, value: T, a: number, b: number) => R): R[] {
    const out: R[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % this.capacity;
      out.push(build(this.seqs[at]!, this.values[at] as T, this.numbers[2 * at]!, this.numbers[2 * at + 1]!));
    }
    return out;
  }
}
