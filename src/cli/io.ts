// What a command needs from the process, injectable so tests run commands in-process.

/** A writable text sink (process.stdout, or a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** The process surroundings of a command; every field has a default. */
export interface CommandIo {
  stdout?: TextSink;
  stderr?: TextSink;
  /** Environment variables; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Standard input, for `send -`; default `process.stdin`. */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** Ends a long-running command (listen) as Ctrl+C does. */
  signal?: AbortSignal;
  /** Listen to SIGINT/SIGTERM of this process. Default true. */
  processSignals?: boolean;
}

/** The resolved surroundings. */
export interface ResolvedIo {
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
  stdin: AsyncIterable<Uint8Array | string>;
  signal: AbortSignal | undefined;
  processSignals: boolean;
}

/** Fills in the process defaults. */
export function resolveIo(io: CommandIo): ResolvedIo {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    stdin: io.stdin ?? process.stdin,
    signal: io.signal,
    processSignals: io.processSignals ?? true,
  };
}

/** Resolves on the first SIGINT/SIGTERM or abort of `io.signal`; `dispose` removes the listeners. */
export function interrupted(io: ResolvedIo): { promise: Promise<void>; dispose(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const onSignal = (): void => resolve();
  if (io.processSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  if (io.signal?.aborted) resolve();
  else io.signal?.addEventListener("abort", onSignal, { once: true });
  return {
    promise,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      io.signal?.removeEventListener("abort", onSignal);
    },
  };
}
