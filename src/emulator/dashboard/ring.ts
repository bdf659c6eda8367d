// A fixed-size log that forgets its oldest entries: traffic and per-connection timelines
// stay bounded however long the emulator runs. Entries keep their sequence numbers (and
// two optional numbers) beside them in typed arrays, so recording allocates nothing, and a
// caller can store a shared marker plus numbers instead of keeping an object alive: objects
// that live through a few garbage collections are what makes recording expensive.
// The arrays start small and double up to the capacity: every connection has a timeline, and
// most idle ones hold a handful of entries, so a full-size ring each (3.3 KiB for 100 entries)
// would be most of the emulator's memory per idle connection.

/** A bounded log of values with their sequence numbers, oldest first. */
export class Ring<T> {
  private values: (T | undefined)[];
  private seqs: Float64Array;
  private numbers: Float64Array;
  private start = 0;
  private count = 0;
  /** How many entries were forgotten to stay within the capacity. */
  truncated = 0;

  /** `capacity`: the most entries kept; `initial`: how many the first arrays hold. */
  constructor(
    readonly capacity: number,
    initial = 8,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`a ring holds at least one entry, got capacity ${capacity}`);
    const size = Math.max(1, Math.min(capacity, initial));
    this.values = new Array<T | undefined>(size);
    this.seqs = new Float64Array(size);
    this.numbers = new Float64Array(size * 2);
  }

  /** Appends one entry (with up to two numbers), forgetting the oldest when full. */
  push(seq: number, value: T, a = 0, b = 0): void {
    if (this.count === this.seqs.length && this.count < this.capacity) this.grow();
    const size = this.seqs.length;
    const at = (this.start + this.count) % size;
    if (this.count === size) {
      this.start = (this.start + 1) % size;
      this.truncated++;
    } else {
      this.count++;
    }
    this.values[at] = value;
    this.seqs[at] = seq;
    this.numbers[2 * at] = a;
    this.numbers[2 * at + 1] = b;
  }

  /** Moves the entries, oldest first, into arrays twice as long (at most `capacity`). */
  private grow(): void {
    const size = this.seqs.length;
    const next = Math.min(this.capacity, size * 2);
    const values = new Array<T | undefined>(next);
    const seqs = new Float64Array(next);
    const numbers = new Float64Array(next * 2);
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % size;
      values[i] = this.values[at];
      seqs[i] = this.seqs[at]!;
      numbers[2 * i] = this.numbers[2 * at]!;
      numbers[2 * i + 1] = this.numbers[2 * at + 1]!;
    }
    this.values = values;
    this.seqs = seqs;
    this.numbers = numbers;
    this.start = 0;
  }

  /** Number of entries held. */
  get size(): number {
    return this.count;
  }

  /** The entries, oldest first, each built by `build(seq, value, a, b)`. */
  map<R>(build: (seq: number, value: T, a: number, b: number) => R): R[] {
    const out: R[] = [];
    const size = this.seqs.length;
    for (let i = 0; i < this.count; i++) {
      const at = (this.start + i) % size;
      out.push(build(this.seqs[at]!, this.values[at] as T, this.numbers[2 * at]!, this.numbers[2 * at + 1]!));
    }
    return out;
  }
}
