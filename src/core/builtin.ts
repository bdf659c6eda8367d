// The one place that reaches Node's built-in modules from code that must also load in a
// browser or on an edge runtime. getBuiltinModule (Node >= 20.16) needs no static
// `import "node:…"`, which bundlers for the browser would choke on.

/**
 * Returns a Node built-in module such as `node:crypto`, or undefined where there is none.
 * Looks `process.getBuiltinModule` up at call time, so a caller evaluated with it hidden
 * (tests simulating a browser) gets undefined.
 */
export function loadBuiltinModule<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
