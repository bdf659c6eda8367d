// Runs the emulator for the soak and the fuzzer, in its own process by default so that the RSS
// read is the emulator's alone (the load generator lives in the parent). Public API only:
// startEmulator and the emulator's endpoint.
import { fork, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../../src/emulator/index.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The access key every soak and fuzz run uses; the fuzzer checks it never comes back. */
export const SOAK_ACCESS_KEY = "soak-and-fuzz-key-0123456789-abcdefghijklmnopqrstuvwxyz";

/** A running emulator as the soak and the fuzzer see it. */
export interface EmulatorHost {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  readonly accessKey: string;
  /** Where the emulator runs; RSS figures mean something only for "process". */
  readonly kind: "process" | "in-process";
  /** Every log line the emulator wrote (only with `keepLogs`). */
  readonly logs: string[];
  /** Resident set size in bytes; with `gc`, after full garbage collections. */
  rss(gc?: boolean): Promise<number>;
  /**
   * What the emulator really holds, after full garbage collections: RSS alone also counts
   * memory the allocator keeps after it was freed.
   */
  memory(): Promise<MemorySample>;
  /** Set when the emulator process exited before close(): a crash. */
  readonly crash: string | undefined;
  close(): Promise<void>;
}

/** One reading of the emulator's memory after garbage collection. */
export interface MemorySample {
  /** Resident set size, bytes. */
  rss: number;
  /** Live JavaScript heap plus memory held by JavaScript objects outside it (Buffers), bytes. */
  heap: number;
  /** Open TCP sockets of the emulator (undefined in-process, where the clients' sockets count too). */
  sockets: number | undefined;
}

/** Options of {@link startEmulatorHost}. */
export interface EmulatorHostOptions {
  /** "process" (default): a child process with --expose-gc. "in-process": quicker, for tests. */
  kind?: "process" | "in-process";
  /** Collect the emulator's log lines (the fuzzer scans them for secrets). */
  keepLogs?: boolean;
}

/** Starts an emulator on 127.0.0.1, port 0. */
export async function startEmulatorHost(options: EmulatorHostOptions = {}): Promise<EmulatorHost> {
  return options.kind === "in-process" ? startInProcess(options.keepLogs ?? false) : startChild(options.keepLogs ?? false);
}

async function startInProcess(keepLogs: boolean): Promise<EmulatorHost> {
  const logs: string[] = [];
  const emu = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    accessKey: SOAK_ACCESS_KEY,
    ...(keepLogs ? { onLog: (line: string) => void logs.push(line) } : {}),
  });
  return {
    endpoint: `http://127.0.0.1:${emu.port}`,
    port: emu.port,
    accessKey: SOAK_ACCESS_KEY,
    kind: "in-process",
    logs,
    crash: undefined,
    rss: async (gc) => {
      if (gc) collectGarbage();
      return process.memoryUsage().rss;
    },
    memory: async () => {
      collectGarbage();
      const m = process.memoryUsage();
      return { rss: m.rss, heap: m.heapUsed + m.external, sockets: undefined };
    },
    close: () => emu.close(),
  };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
}

interface ChildReply {
  id?: number;
  ready?: { port: number };
  rss?: number;
  memory?: MemorySample;
  log?: string;
}

async function startChild(keepLogs: boolean): Promise<EmulatorHost> {
  const root = resolve(here, "../..");
  const child: ChildProcess = fork(join(here, "emulatorChild.ts"), [keepLogs ? "--logs" : "--no-logs"], {
    cwd: root,
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: { ...process.env, SOAK_ACCESS_KEY },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const logs: string[] = [];
  const waiting = new Map<number, (reply: ChildReply) => void>();
  let nextId = 1;
  let crash: string | undefined;
  let closing = false;
  const exited = new Promise<void>((done) =>
    child.once("exit", (code, signal) => {
      if (!closing) crash = `the emulator process exited with ${signal ?? `code ${code}`}`;
      for (const reject of waiting.values()) reject({});
      waiting.clear();
      done();
    }),
  );
  const port = await new Promise<number>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error("the emulator process did not start within 30 s")), 30_000);
    child.on("message", (reply: ChildReply) => {
      if (reply.ready) {
        clearTimeout(timer);
        ready(reply.ready.port);
      } else if (reply.log !== undefined) {
        logs.push(reply.log);
      } else if (reply.id !== undefined) {
        waiting.get(reply.id)?.(reply);
        waiting.delete(reply.id);
      }
    });
    child.once("exit", () => fail(new Error(crash ?? "the emulator process exited")));
  });
  const ask = (gc: boolean): Promise<number> =>
    new Promise((answer, fail) => {
      if (crash || !child.connected) return fail(new Error(crash ?? "the emulator process is gone"));
      const id = nextId++;
      waiting.set(id, (reply) => (reply.rss === undefined ? fail(new Error(crash ?? "no answer")) : answer(reply.rss)));
      child.send({ id, cmd: "rss", gc });
    });
  const memory = (): Promise<MemorySample> =>
    new Promise((answer, fail) => {
      if (crash || !child.connected) return fail(new Error(crash ?? "the emulator process is gone"));
      const id = nextId++;
      waiting.set(id, (reply) => (reply.memory === undefined ? fail(new Error(crash ?? "no answer")) : answer(reply.memory)));
      child.send({ id, cmd: "memory" });
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKey: SOAK_ACCESS_KEY,
    kind: "process",
    memory,
    logs,
    get crash() {
      return crash;
    },
    rss: ask,
    close: async () => {
      closing = true;
      if (child.connected) child.send({ cmd: "close" });
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
