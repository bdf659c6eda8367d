// Pending requests waiting for the service's answer (acks by ackId, invocations by id).
// Every entry ends exactly once: answered, timed out, aborted, or settled in bulk when the
// connection is lost or the client stops, so no caller is ever left waiting.

/** The subset of AbortSignal this package reads (works with any AbortController). */
export interface AbortSignalLike {
  /** True once aborted. */
  readonly aborted: boolean;
  /** Registers the abort listener. */
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  /** Removes the abort listener. */
  removeEventListener(type: "abort", listener: () => void): void;
}

interface Entry<V> {
  resolve(value: V): void;
  reject(error: Error): void;
  signal: AbortSignalLike | undefined;
  onAbort: (() => void) | undefined;
  /** When the armed answer timeout ends (performance.now() ms); 0 when not armed. */
  deadline: number;
  onTimeout: (() => Error) | undefined;
}

/** An armed timeout, in the order of its deadline. */
interface Armed<K, V> {
  key: K;
  entry: Entry<V>;
  deadline: number;
}

/**
 * Requests keyed by id, each settled once. Answer timeouts share one timer: with thousands of
 * sends a second, a timer per send cost more than the send. Timeouts are kept in deadline order
 * (a client arms them all with the same duration, so they arrive in order) and the timer is set
 * for the first one that still waits.
 */
export class PendingRequests<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  #armed: Armed<K, V>[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;

  /** Number of requests waiting. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when `key` waits for an answer. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /**
   * Registers `key`; the promise settles on {@link resolve}, {@link reject}, {@link rejectAll},
   * the timeout armed by {@link arm}, or `signal` (rejected with `onAbort()`).
   */
  add(key: K, signal?: AbortSignalLike, onAbort?: () => Error): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const entry: Entry<V> = { resolve, reject, signal, onAbort: undefined, deadline: 0, onTimeout: undefined };
      if (signal && onAbort) {
        entry.onAbort = () => this.reject(key, onAbort());
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.#entries.set(key, entry);
    });
  }

  /** Starts (or restarts) the answer timeout of `key`, once its request is on the wire. */
  arm(key: K, timeoutMs: number, onTimeout: () => Error): void {
    const entry = this.#entries.get(key);
    if (!entry || timeoutMs <= 0 || timeoutMs === Infinity) return;
    const deadline = performance.now() + timeoutMs;
    entry.deadline = deadline;
    entry.onTimeout = onTimeout;
    const item = { key, entry, deadline };
    const armed = this.#armed;
    // Usually appended; a shorter timeout than the last one armed goes to its place.
    let at = armed.length;
    while (at > this.#head && armed[at - 1]!.deadline > deadline) at--;
    armed.splice(at, 0, item);
    this.#schedule();
  }

  /** Answers `key`; false when nothing waits for it (late or unknown answer). */
  resolve(key: K, value: V): boolean {
    const entry = this.#take(key);
    if (!entry) return false;
    entry.resolve(value);
    return true;
  }

  /** Fails `key`; false when nothing waits for it. */
  reject(key: K, error: Error): boolean {
    const entry = this.#take(key);
    if (!entry) return false;
    entry.reject(error);
    return true;
  }

  /** Fails every waiting request, e.g. on connection loss or stop. */
  rejectAll(makeError: (key: K) => Error): void {
    for (const key of [...this.#entries.keys()]) this.reject(key, makeError(key));
  }

  #take(key: K): Entry<V> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    entry.deadline = 0;
    if (entry.onAbort) entry.signal?.removeEventListener("abort", entry.onAbort);
    this.#compact();
    return entry;
  }

  /** True while `item` is the live timeout of a waiting request. */
  #live(item: Armed<K, V>): boolean {
    return item.entry.deadline === item.deadline && this.#entries.get(item.key) === item.entry;
  }

  // Drops settled timeouts from the front, and rebuilds the list when settled ones elsewhere
  // (behind one that still waits) outnumber the live ones, so it never outgrows the requests.
  #compact(): void {
    const armed = this.#armed;
    while (this.#head < armed.length && !this.#live(armed[this.#head]!)) this.#head++;
    if (this.#head === armed.length) {
      this.#armed = [];
      this.#head = 0;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (armed.length - this.#head > 2 * this.#entries.size + 32) {
      this.#armed = armed.slice(this.#head).filter((item) => this.#live(item));
      this.#head = 0;
    }
  }

  /** Sets the one timer for the earliest live deadline, unless it is already set for it or earlier. */
  #schedule(): void {
    const first = this.#armed[this.#head];
    if (!first) return;
    if (this.#timer !== undefined && this.#timerAt <= first.deadline) return;
    clearTimeout(this.#timer);
    this.#timerAt = first.deadline;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, first.deadline - performance.now()));
    // The socket keeps a process alive while it matters; a lone timer must not.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#head < this.#armed.length) {
      const item = this.#armed[this.#head]!;
      if (this.#live(item)) {
        if (item.deadline > now) break;
        this.reject(item.key, item.entry.onTimeout!());
      } else {
        this.#head++;
      }
    }
    this.#compact();
    this.#schedule();
  }
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignalLike | undefined, onAbort: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const done = (): void => {
      signal?.removeEventListener("abort", aborted);
      resolve();
    };
    const aborted = (): void => {
      clearTimeout(timer);
      reject(onAbort());
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
