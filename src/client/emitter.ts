// A small typed event emitter: the browser build carries no `events` polyfill.
// Listener lists are copied on change, so emit() (called for every message) allocates nothing.
import { invalidArgument, VERBOSE } from "../core/index.js";

/** A listener of one event. */
export type Listener<T> = (args: T) => void;

/** Typed listeners for the events of `E` (event name to argument type). */
export class Emitter<E> {
  readonly #listeners = new Map<keyof E, readonly Listener<never>[]>();

  /** Adds a listener; adding the same function twice calls it twice, as Node's EventEmitter does. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    if (typeof listener !== "function") throw invalidArgument(VERBOSE ? "listener must be a function" : "listener");
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener as Listener<never>]);
  }

  /** Removes one registration of `listener`. */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const at = list.lastIndexOf(listener as Listener<never>);
    if (at < 0) return;
    const next = list.filter((_, i) => i !== at);
    if (next.length) this.#listeners.set(event, next);
    else this.#listeners.delete(event);
  }

  /**
   * Calls every listener of `event`. A throwing listener does not stop the others or the
   * client: its error goes to `reportError` (browsers, Node >= 21) or `console.error`.
   */
  emit<K extends keyof E>(event: K, args: E[K]): void {
    const list = this.#listeners.get(event) as readonly Listener<E[K]>[] | undefined;
    if (!list) return;
    for (const listener of list) {
      try {
        listener(args);
      } catch (err) {
        reportListenerError(err);
      }
    }
  }
}

function reportListenerError(err: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === "function") report(err);
  else console.error("webpubsub-service: a listener threw", err);
}
