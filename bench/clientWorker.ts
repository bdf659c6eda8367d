// Worker side of bench/client.ts: one receiving client (ours, the official one, or a bare
// `ws` socket that only parses frames) in its own thread, so its cost is not mixed with the
// emulator's. Also measures the heap of N idle connected clients.
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { WebSocket } from "ws";
import * as official from "@azure/web-pubsub-client";
import * as ours from "../src/client/index.js";

export type Kind = "ours" | "official" | "bare ws";
export type Protocol = "json" | "reliable";

export interface ReceiveJob {
  job: "receive";
  kind: Kind;
  protocol: Protocol;
  url: string;
  group: string;
  total: number;
  /** Slot 0: messages received so far, for the publisher's flow control. */
  progress: SharedArrayBuffer;
}

export interface AckedJob {
  job: "acked";
  kind: Kind;
  url: string;
  /** Sends counted (after a warm-up of a fifth as many). */
  total: number;
  inFlight: number;
}

export interface MemoryJob {
  job: "memory";
  kind: Kind;
  url: string;
  count: number;
}

export interface ReceiveResult {
  received: number;
  duplicates: number;
  outOfOrder: number;
  ms: number;
  cutOff: boolean;
  /** Time this thread was busy (event-loop utilisation, active ms) from ready to done. */
  busyMs: number;
}

/** The outcome of an acked-send run. */
export interface AckedResult {
  perSecond: number;
  /** Busy time of the sending thread per ack, in microseconds (event-loop utilisation). */
  busyUsPerAck: number;
}

const PROTOCOL_NAMES = {
  json: "json.webpubsub.azure.v1",
  reliable: "json.reliable.webpubsub.azure.v1",
} as const;
const IDLE_MS = 3000;

interface Receiver {
  onData(cb: (i: number) => void): void;
  onCutOff(cb: () => void): void;
  stop(): Promise<void>;
}

async function openReceiver(
  kind: Kind,
  protocol: Protocol,
  url: string,
  group: string,
): Promise<Receiver> {
  if (kind === "bare ws") return openBare(protocol, url, group);
  const sdk = (kind === "ours" ? ours : official) as unknown as typeof ours;
  const client = new sdk.WebPubSubClient(url, {
    protocol:
      protocol === "json"
        ? sdk.WebPubSubJsonProtocol()
        : sdk.WebPubSubJsonReliableProtocol(),
    autoReconnect: false,
  });
  await client.start();
  await client.joinGroup(group);
  return {
    onData: (cb) =>
      client.on("group-message", (e) =>
        cb((e.message.data as { i: number }).i),
      ),
    onCutOff: (cb) => {
      client.on("disconnected", cb);
      client.on("recovering", cb);
    },
    stop: () => Promise.resolve(client.stop()),
  };
}

// The floor: parse each frame and, for the reliable protocol, ack every 100 messages.
async function openBare(
  protocol: Protocol,
  url: string,
  group: string,
): Promise<Receiver> {
  const ws = new WebSocket(url, PROTOCOL_NAMES[protocol], {
    perMessageDeflate: false,
  });
  await new Promise((resolve, reject) =>
    ws.once("open", resolve).once("error", reject),
  );
  let onData: (i: number) => void = () => undefined;
  let onCut: () => void = () => undefined;
  let unacked = 0;
  const joined = new Promise<void>((resolve) => {
    ws.on("message", (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.type === "ack") return resolve();
      if (frame.type !== "message") return;
      if (frame.sequenceId !== undefined && ++unacked >= 100) {
        unacked = 0;
        ws.send(`{"type":"sequenceAck","sequenceId":${frame.sequenceId}}`);
      }
      onData(frame.data.i);
    });
  });
  ws.on("close", () => onCut());
  ws.send(JSON.stringify({ type: "joinGroup", group, ackId: 1 }));
  await joined;
  return {
    onData: (cb) => (onData = cb),
    onCutOff: (cb) => (onCut = cb),
    stop: async () => ws.close(),
  };
}

async function receive(job: ReceiveJob): Promise<ReceiveResult> {
  const r = await openReceiver(job.kind, job.protocol, job.url, job.group);
  let received = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let next = 0;
  let first = 0;
  let last = 0;
  let cutOff = false;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let idle = setTimeout(finish, IDLE_MS * 5);
  const progress = new Int32Array(job.progress);
  let finished = false;
  r.onCutOff(() => (cutOff ||= !finished));
  r.onData((i) => {
    const now = performance.now();
    if (received === 0) first = now;
    last = now;
    if (i < next) duplicates++;
    else {
      if (i !== next) outOfOrder++;
      next = i + 1;
      received++;
      Atomics.store(progress, 0, received);
    }
    if (received === job.total) finish();
    else if ((received & 1023) === 0) {
      clearTimeout(idle);
      idle = setTimeout(finish, IDLE_MS);
    }
  });
  const elu = performance.eventLoopUtilization();
  parentPort!.postMessage({ ready: true });
  await done;
  const busyMs = performance.eventLoopUtilization(elu).active;
  parentPort!.postMessage({ measured: true });
  finished = true;
  clearTimeout(idle);
  await r.stop();
  return { received, duplicates, outOfOrder, ms: last - first, cutOff, busyMs };
}

/** Acknowledged sendToGroup per second with `inFlight` sends waiting at any time (json protocol). */
async function acked(job: AckedJob): Promise<AckedResult> {
  let send: (i: number) => Promise<unknown>;
  let close: () => Promise<void> | void;
  if (job.kind === "bare ws") {
    const ws = new WebSocket(job.url, PROTOCOL_NAMES.json, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const waiting = new Map<number, () => void>();
    ws.on("message", (m) => {
      const f = JSON.parse(m.toString());
      if (f.type === "ack") {
        waiting.get(f.ackId)?.();
        waiting.delete(f.ackId);
      }
    });
    let lastAckId = 0;
    // Frames of one tick leave in one write, as ours does: the floor is the best a client can do.
    const socket = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    let corked = false;
    send = (i) =>
      new Promise<void>((resolve) => {
        const ackId = ++lastAckId;
        waiting.set(ackId, resolve);
        if (!corked) {
          corked = true;
          socket.cork();
          process.nextTick(() => ((corked = false), socket.uncork()));
        }
        ws.send(JSON.stringify({ type: "sendToGroup", group: "nobody", ackId, dataType: "json", data: { i } }));
      });
    close = () => ws.close();
  } else {
    const sdk = (job.kind === "ours" ? ours : official) as unknown as typeof ours;
    const client = new sdk.WebPubSubClient(job.url, { protocol: sdk.WebPubSubJsonProtocol() });
    await client.start();
    send = (i) => client.sendToGroup("nobody", { i }, "json");
    close = () => client.stop();
  }
  const pump = async (total: number): Promise<AckedResult> => {
    let next = 0;
    const started = performance.now();
    const elu = performance.eventLoopUtilization();
    await Promise.all(
      Array.from({ length: job.inFlight }, async () => {
        while (next < total) await send(next++);
      }),
    );
    return {
      perSecond: (total / (performance.now() - started)) * 1000,
      busyUsPerAck: (performance.eventLoopUtilization(elu).active * 1000) / total,
    };
  };
  await pump(Math.ceil(job.total / 5)); // warm-up, not counted
  // The main thread (the emulator's) measures its own busy time between these two messages.
  parentPort!.postMessage({ measuring: true });
  const rate = await pump(job.total);
  parentPort!.postMessage({ measured: true });
  await close();
  return rate;
}

async function memory(job: MemoryJob): Promise<number> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const settle = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const m = process.memoryUsage();
    return m.heapUsed;
  };
  const before = await settle();
  const receivers: Receiver[] = [];
  for (let i = 0; i < job.count; i++)
    receivers.push(await openReceiver(job.kind, "reliable", job.url, "idle"));
  const after = await settle();
  await Promise.all(receivers.map((r) => r.stop()));
  return (after - before) / job.count;
}

const data = workerData as ReceiveJob | AckedJob | MemoryJob;
const result =
  data.job === "receive" ? await receive(data) : data.job === "acked" ? await acked(data) : await memory(data);
parentPort!.postMessage({ result });
