// The dashboard's live feed: server-sent events. A client gets a `snapshot`, then `events`
// batches (at most every FLUSH_MS), `counters` of changed connections (at most every
// COUNTERS_MS) and a keepalive comment. Timers run only while a client is open, and a
// client that stops reading is dropped instead of buffering without bound.
import type { ServerResponse } from "node:http";
import { toEntry, type Recorded } from "./recorder.js";
import type { CounterUpdate, DashboardState, DroppedEntry, TrafficEntry } from "./types.js";

/** Longest wait before recorded events reach open clients. */
export const FLUSH_MS = 100;
/** Interval of `counters` events. */
export const COUNTERS_MS = 500;
/** Interval of keepalive comments. */
export const KEEPALIVE_MS = 15_000;
// Unsent bytes a client may lag behind before it is dropped.
const MAX_LAG_BYTES = 4 * 1024 * 1024;

/** What the stream asks of the rest of the dashboard. */
export interface StreamSource {
  snapshot(): DashboardState;
  changedCounters(): CounterUpdate[];
  /** Ends the sampling window so a pending `dropped` count goes out with the batch. */
  flushDropped(): void;
}

/** The open SSE clients and their shared timers. */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private batch: (TrafficEntry | DroppedEntry)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private countersTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly source: StreamSource) {}

  /** Open clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Starts the stream on `res`: headers, then the snapshot. */
  open(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    res.socket?.setNoDelay(true);
    this.clients.add(res);
    res.on("close", () => this.remove(res));
    this.write(res, `event: snapshot\ndata: ${JSON.stringify(this.source.snapshot())}\n\n`);
    this.startTimers();
  }

  /** Queues one recorded entry for the next batch; free when no client is open. */
  push(seq: number, entry: Recorded): void {
    if (this.clients.size === 0) return;
    this.batch.push(toEntry(seq, entry));
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Ends every client and stops the timers. */
  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.stopTimers();
  }

  private flush(): void {
    this.flushTimer = undefined;
    this.source.flushDropped();
    const batch = this.batch;
    this.batch = [];
    if (batch.length > 0) this.broadcast(`event: events\ndata: ${JSON.stringify(batch)}\n\n`);
  }

  private sendCounters(): void {
    const changed = this.source.changedCounters();
    if (changed.length > 0) this.broadcast(`event: counters\ndata: ${JSON.stringify(changed)}\n\n`);
  }

  private broadcast(text: string): void {
    for (const res of this.clients) this.write(res, text);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_LAG_BYTES) {
      // A page that stopped reading (a background tab, a stalled proxy) is cut off.
      res.destroy();
      this.remove(res);
      return;
    }
    res.write(text);
  }

  private remove(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0) {
      this.stopTimers();
      this.batch = [];
    }
  }

  private startTimers(): void {
    this.countersTimer ??= setInterval(() => this.sendCounters(), COUNTERS_MS).unref();
    this.keepaliveTimer ??= setInterval(() => this.broadcast(": keepalive\n\n"), KEEPALIVE_MS).unref();
  }

  private stopTimers(): void {
    clearTimeout(this.flushTimer);
    clearInterval(this.countersTimer);
    clearInterval(this.keepaliveTimer);
    this.flushTimer = this.countersTimer = this.keepaliveTimer = undefined;
  }
}
