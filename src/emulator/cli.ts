// `webpubsub emulator`: runs the embedded emulator until SIGINT/SIGTERM.
// main() takes argv and streams and returns an exit code, so tests run it in-process;
// bin/webpubsub.mjs is the only part that touches process.exit.
import { parseArgs } from "node:util";
import { PACKAGE_VERSION } from "../core/index.js";
import { ConfigError, loadConfig, type EmulatorConfig } from "./config.js";
import type { Emulator, EmulatorOptions } from "./emulator.js";
import { redactUrl, UsageError } from "../core/index.js";
import type { HubSettings } from "./upstream/index.js";

/** Options the CLI passes to `startEmulator`. */
export type CliStartOptions = EmulatorOptions;

/** The parts of a running emulator the CLI uses. */
export type CliEmulator = Pick<Emulator, "endpoint" | "connectionString" | "port" | "close"> & Partial<Pick<Emulator, "dashboardUrl">>;

/** Where main() writes and how it is stopped; every field is optional. */
export interface CliIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** Stops the emulator like SIGINT does. */
  signal?: AbortSignal;
  /** Listen to SIGINT/SIGTERM of this process. Default true. */
  processSignals?: boolean;
  /** Replaces the real emulator (tests). */
  startEmulator?: (options: CliStartOptions) => CliEmulator | Promise<CliEmulator>;
}

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = "127.0.0.1";

const USAGE = `Usage: webpubsub emulator [options]

Runs a local Azure Web PubSub service (REST API, client WebSockets and upstream
event handlers) for development and tests.

Options:
  -p, --port <n>     Port to listen on (default ${DEFAULT_PORT}; 0 picks a free port)
  --host <addr>      Address to bind (default ${DEFAULT_HOST}, loopback only;
                     0.0.0.0 or :: exposes the emulator and its key to the network)
  -c, --config <file>  JSON config: {"port", "host", "accessKey",
                     "hubs": {"<hub>": {"eventHandlers": [{"urlTemplate",
                     "userEventPattern", "systemEvents"}]}}}
                     Command-line options override the file.
  --no-dashboard     Do not serve the live dashboard (/_dashboard)
  -q, --quiet        Print only the connection string (one line on stdout),
                     not the banner, connections, REST calls or upstream events
  -v, --version      Print the version
  -h, --help         Show this help

The connection string is printed at start. It holds the access key: the
well-known emulator key by default, or your "accessKey" from the config file,
which is then printed too. So is the dashboard's address: open on loopback,
it asks for the access key when the emulator listens on another address.
Stop with Ctrl+C.

Example config:
  {"hubs": {"chat": {"eventHandlers": [{
     "urlTemplate": "http://localhost:3000/api/webpubsub/hubs/{hub}/{event}",
     "userEventPattern": "*",
     "systemEvents": ["connect", "connected", "disconnected"]}]}}}
`;


/** Runs the CLI. Resolves with the process exit code once the emulator has stopped (or failed to start). */
export async function main(argv: string[], io: CliIo = {}): Promise<number> {
  const stdout = guardWrites(io.stdout ?? process.stdout);
  const stderr = guardWrites(io.stderr ?? process.stderr);
  const print = (text: string): void => void stdout.write(`${text}\n`);
  const fail = (text: string): void => void stderr.write(`webpubsub: ${text}\n`);

  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError || isParseArgsError(err))) throw err;
    fail(describeUsageError(err as Error));
    stderr.write(`\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    stdout.write(USAGE);
    return 0;
  }
  if (parsed.version) {
    print(PACKAGE_VERSION);
    return 0;
  }

  let config: EmulatorConfig = { hubs: {} };
  if (parsed.config !== undefined) {
    try {
      config = await loadConfig(parsed.config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      fail(err.message);
      return 1;
    }
  }

  const port = parsed.port ?? config.port ?? DEFAULT_PORT;
  const host = parsed.host ?? config.host ?? DEFAULT_HOST;
  const options: CliStartOptions = { port, host, hubs: config.hubs };
  if (parsed.noDashboard) options.dashboard = false;
  if (config.accessKey !== undefined) options.accessKey = config.accessKey;
  if (!parsed.quiet) options.onLog = (line) => print(`${timestamp()} ${line}`);
  // --quiet keeps exactly one line on stdout, the connection string, so `$(webpubsub … -q)` works.
  const banner = parsed.quiet ? (): void => undefined : print;

  const start = io.startEmulator ?? (await loadStartEmulator());
  let emulator: CliEmulator;
  try {
    emulator = await start(options);
  } catch (err) {
    fail(describeStartError(err, host, port));
    return 1;
  }

  if (!isLoopback(host)) {
    const key = config.accessKey === undefined ? "the well-known emulator key" : "your access key";
    fail(`warning: listening on ${host} makes the emulator reachable from the network over plain http; anyone who can reach it can call the REST API and mint client tokens with ${key}.`);
  }
  // The emulator itself logs "listening on …".
  for (const line of describeHubs(config.hubs)) banner(line);
  banner("Connection string:");
  print(parsed.quiet ? emulator.connectionString : `  ${emulator.connectionString}`);
  if (emulator.dashboardUrl) {
    banner(`Dashboard: ${emulator.dashboardUrl}${isLoopback(host) ? "" : " (log in with the access key)"}`);
  }
  banner("Press Ctrl+C to stop.");

  const stop = stopSignals(io);
  try {
    await stop.first;
    banner("Stopping...");
    const closed = emulator.close().then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    const outcome = await Promise.race([closed, stop.second.then(() => "forced" as const)]);
    if (outcome === "forced") {
      fail("stopped without waiting for connections to close");
      return 130;
    }
    if (outcome instanceof Error) {
      fail(`error while stopping: ${outcome.message}`);
      return 1;
    }
  } finally {
    stop.dispose();
  }
  banner("Stopped.");
  return 0;
}

interface ParsedCommandLine {
  command: string | undefined;
  port?: number;
  host?: string;
  config?: string;
  quiet: boolean;
  noDashboard: boolean;
  help: boolean;
  version: boolean;
}

function parseCommandLine(argv: string[]): ParsedCommandLine {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: "string", short: "p" },
      host: { type: "string" },
      config: { type: "string", short: "c" },
      quiet: { type: "boolean", short: "q", default: false },
      "no-dashboard": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", short: "v", default: false },
    },
  });
  const [command, ...extra] = positionals;
  const result: ParsedCommandLine = {
    command,
    quiet: values.quiet === true,
    noDashboard: values["no-dashboard"] === true,
    help: values.help === true,
    version: values.version === true,
  };
  if (result.help || result.version) return result;
  if (command === undefined) throw new UsageError("missing command; expected 'emulator'");
  if (command !== "emulator") throw new UsageError(`unknown command '${command}'; expected 'emulator'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got '${values.port}'`);
    }
    result.port = Number(values.port);
  }
  if (values.host !== undefined) {
    if (values.host.trim() === "") throw new UsageError("--host must not be empty");
    result.host = values.host;
  }
  if (values.config !== undefined) result.config = values.config;
  return result;
}

/**
 * A stream whose write failures (EPIPE after `| head`, a closed terminal) are swallowed:
 * output is a courtesy, and losing it must never stop the service or drop clients.
 */
function guardWrites(stream: NonNullable<CliIo["stdout"]>): NonNullable<CliIo["stdout"]> {
  let broken = false;
  const events = stream as { on?: (event: "error", listener: (err: unknown) => void) => unknown };
  // Without an 'error' listener a failed write on process.stdout is an uncaught exception.
  events.on?.call(stream, "error", () => (broken = true));
  return {
    write(text: string) {
      if (broken) return false;
      try {
        return stream.write(text);
      } catch {
        broken = true;
        return false;
      }
    },
  };
}

/** One line for a bad command line; parseArgs' own messages explain its API, not the command. */
function describeUsageError(err: Error): string {
  const code = errorCode(err);
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) return `unknown option '${quoted}'`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = /--[a-z]+/.exec(err.message)?.[0];
    if (option && /argument missing/.test(err.message)) return `${option} needs a value`;
    if (option) return `${option} takes no value`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL" && quoted) return `unexpected argument '${quoted}'`;
  return err.message;
}

/** Addresses only this machine can reach. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

async function loadStartEmulator(): Promise<NonNullable<CliIo["startEmulator"]>> {
  // Loaded on demand: `--help` and config errors answer without loading the server.
  const mod = (await import("./index.js")) as { startEmulator: NonNullable<CliIo["startEmulator"]> };
  return mod.startEmulator;
}

function describeStartError(err: unknown, host: string, port: number): string {
  // startEmulator wraps the listen error; its cause carries the errno code.
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown } | null)?.cause);
  if (code === "EADDRINUSE") return `cannot listen on ${host}:${port}: the port is in use (try --port 0)`;
  if (code === "EACCES") return `cannot listen on ${host}:${port}: permission denied`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return `cannot listen on ${host}:${port}: no such local address`;
  const message = err instanceof Error ? err.message : String(err);
  return `cannot start the emulator: ${message}`;
}

function errorCode(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** One line per handler, without URL queries (`?code=` is a secret). */
function describeHubs(hubs: Record<string, HubSettings>): string[] {
  const lines: string[] = [];
  for (const [hub, settings] of Object.entries(hubs)) {
    const handlers = settings.eventHandlers ?? [];
    if (handlers.length === 0) lines.push(`Hub ${hub}: no event handlers`);
    for (const handler of handlers) {
      const events = [...(handler.systemEvents ?? []), ...(handler.userEventPattern ? [`user:${handler.userEventPattern}`] : [])];
      lines.push(`Hub ${hub}: ${events.join(", ") || "no events"} -> ${redactUrl(handler.urlTemplate)}`);
    }
  }
  return lines;
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/** `first` resolves on the first SIGINT/SIGTERM (or io.signal); `second` on another one, which means "stop now". */
function stopSignals(io: CliIo): { first: Promise<void>; second: Promise<void>; dispose(): void } {
  const listenToProcess = io.processSignals ?? true;
  let count = 0;
  let onFirst!: () => void;
  let onSecond!: () => void;
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  const second = new Promise<void>((resolve) => (onSecond = resolve));
  const onSignal = (): void => {
    count++;
    if (count === 1) onFirst();
    else onSecond();
  };
  if (listenToProcess) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  if (io.signal?.aborted) onSignal();
  else io.signal?.addEventListener("abort", onSignal, { once: true });
  return {
    first,
    second,
    dispose() {
      if (listenToProcess) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      io.signal?.removeEventListener("abort", onSignal);
    },
  };
}
