// The emulator process of the soak and the fuzzer (forked by emulatorHost.ts with --expose-gc).
import { startEmulator } from "../../src/emulator/index.js";

const keepLogs = process.argv.includes("--logs");
const send = (message: object): void => {
  if (process.connected) process.send?.(message);
};

const emu = await startEmulator({
  port: 0,
  host: "127.0.0.1",
  accessKey: process.env["SOAK_ACCESS_KEY"]!,
  ...(keepLogs ? { onLog: (line: string) => send({ log: line }) } : {}),
});

// Several passes, with a turn of the event loop between, let weak and finalised objects go.
async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

// Open TCP sockets: the listening server and the IPC pipe are not counted.
function openSockets(): number {
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  return handles.filter((h) => h.constructor.name === "Socket").length;
}

process.on("message", async (msg: { id?: number; cmd: string; gc?: boolean }) => {
  if (msg.cmd === "rss") {
    if (msg.gc) await collectGarbage();
    send({ id: msg.id, rss: process.memoryUsage().rss });
  } else if (msg.cmd === "memory") {
    await collectGarbage();
    const m = process.memoryUsage();
    send({ id: msg.id, memory: { rss: m.rss, heap: m.heapUsed + m.external, sockets: openSockets() } });
  } else if (msg.cmd === "close") {
    await emu.close();
    process.disconnect();
  }
});
// The parent went away without closing: do not outlive it.
process.on("disconnect", () => void emu.close().then(() => process.exit(0)));
send({ ready: { port: emu.port } });
