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
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignalLike | undefined;
  onAbort: (() => void) | undefined;
}

/** Requests keyed by id, each settled once. */
export class PendingRequests<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  /** Number of requests waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** True when `key` waits for an answer. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  /**
   * Registers `key`; the promise settles on {@link resolve}, {@link reject}, {@link rejectAll},
   * the timer armed by {@link arm}, or `signal` (rejected with `onAbort()`).
   */
  add(key: K, signal?: AbortSignalLike, onAbort?: () => Error): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const entry: Entry<V> = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (signal && onAbort) {
        entry.onAbort = () => this.reject(key, onAbort());
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.entries.set(key, entry);
    });
  }

  /** Starts the answer timeout of `key` (once its request is on the wire). */
  arm(key: K, timeoutMs: number, onTimeout: () => Error): void {
    const entry = this.entries.get(key);
    if (!entry || timeoutMs <= 0 || timeoutMs === Infinity) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.reject(key, onTimeout()), timeoutMs);
    // The socket keeps a process alive while it matters; a lone timer must not.
    (entry.timer as { unref?: () => void }).unref?.();
  }

  /** Answers `key`; false when nothing waits for it (late or unknown answer). */
  resolve(key: K, value: V): boolean {
    const entry = this.take(key);
    if (!entry) return false;
    entry.resolve(value);
    return true;
  }

  /** Fails `key`; false when nothing waits for it. */
  reject(key: K, error: Error): boolean {
    const entry = this.take(key);
    if (!entry) return false;
    entry.reject(error);
    return true;
  }

  /** Fails every waiting request, e.g. on connection loss or stop. */
  rejectAll(makeError: (key: K) => Error): void {
    for (const key of [...this.entries.keys()]) this.reject(key, makeError(key));
  }

  private take(key: K): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener("abort", entry.onAbort);
    return entry;
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
