// What the dashboard remembers: a bounded traffic log of the emulator's typed events, one
// bounded timeline per connection, the claims each connection presented, and recently
// closed connections. It listens to the event stream and does as little as it can per
// event: a fan-out emits one frame event per recipient, and recording must not slow it.
import type { ConnectedEvent, EmulatorEvent, EmulatorEvents, TokenClaims } from "../events.js";
import type { HubRegistry } from "../state/index.js";
import type { ClientConnection } from "../ws/index.js";
import { Ring } from "./ring.js";
import type { ConnectionView, CounterUpdate, DroppedEntry, TrafficEntry } from "./types.js";

/** Entries the traffic log keeps. */
export const TRAFFIC_CAPACITY = 500;
/** Entries each connection's timeline keeps. */
export const TIMELINE_CAPACITY = 100;
/** Closed connections that stay listed. */
export const CLOSED_CAPACITY = 100;
/** Frame events per {@link SAMPLE_WINDOW_MS} that go into the traffic log; the rest are counted as dropped. */
export const FRAME_SAMPLE_BUDGET = 20;
/** The sampling window of frame events. */
export const SAMPLE_WINDOW_MS = 100;
// Connections whose connect is in flight: their upstream `connect` event waits here for `connected`.
const PENDING_CAPACITY = 200;
const PENDING_ENTRIES = 8;

/** One recorded item: an event, or the count of frame events left out of the traffic log. */
export type Recorded = EmulatorEvent | DroppedEntry;

/**
 * Stands for a plain `message` frame sent to the timeline's connection, whose time and
 * sequence id are stored as numbers: a fan-out emits one such event per recipient, and
 * keeping each object alive in 1,000 timelines costs more than delivering it.
 */
const MESSAGE_OUT = { type: "frameOut", frameType: "message" } as const;
type TimelineItem = Recorded | typeof MESSAGE_OUT;

/** Receives each traffic entry as it is recorded (the live stream). */
export type EntryListener = (seq: number, entry: Recorded) => void;

/** Everything the dashboard knows of one connection. */
export interface ConnectionRecord {
  readonly hub: string;
  readonly connectionId: string;
  readonly userId: string | null;
  readonly subprotocol: string | null;
  readonly roles: string[];
  readonly connectedAt: number;
  readonly claims: TokenClaims | null;
  state: "open" | "detached" | "closed";
  closeCode?: number;
  closeReason?: string;
  /** The live connection, found after it joined its hub. */
  conn: ClientConnection | undefined;
  /** Counts at close, when `conn` is gone. */
  finalIn: number;
  finalOut: number;
  /** Counts last sent in a `counters` event. */
  shownIn: number;
  shownOut: number;
  readonly timeline: Ring<TimelineItem>;
}

/** Records the emulator's events for the dashboard. */
export class Recorder {
  private readonly traffic = new Ring<Recorded>(TRAFFIC_CAPACITY);
  private readonly records = new Map<string, Map<string, ConnectionRecord>>();
  private readonly closed: ConnectionRecord[] = [];
  private readonly pending = new Map<string, [number, EmulatorEvent][]>();
  private seq = 0;
  private window = 0;
  private budget = FRAME_SAMPLE_BUDGET;
  private dropped = 0;
  // The record recordFrame found last (cleared when records come or go).
  private lastRecord: ConnectionRecord | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    events: EmulatorEvents,
    private readonly hubs: HubRegistry<ClientConnection>,
    private readonly onEntry: EntryListener,
  ) {
    this.unsubscribe = events.on("*", (event) => this.record(event));
  }

  /** Stops recording. */
  close(): void {
    this.unsubscribe();
  }

  /** The traffic log, oldest first. */
  trafficEntries(): (TrafficEntry | DroppedEntry)[] {
    return this.traffic.map(toEntry);
  }

  /** The record of one connection, live or recently closed. */
  connection(hub: string, connectionId: string): ConnectionRecord | undefined {
    const record = this.records.get(hub)?.get(connectionId);
    if (record) this.resolve(record);
    return record;
  }

  /** Every record of a hub (live first in connect order, then closed). */
  hubRecords(hub: string): ConnectionRecord[] {
    const records = [...(this.records.get(hub)?.values() ?? [])];
    for (const record of records) this.resolve(record);
    return records;
  }

  /** Hubs with at least one record. */
  recordedHubs(): string[] {
    return [...this.records.keys()];
  }

  /** The view of one record, with current groups and counts. */
  view(record: ConnectionRecord): ConnectionView {
    this.resolve(record);
    const conn = record.conn;
    const view: ConnectionView = {
      hub: record.hub,
      connectionId: record.connectionId,
      userId: record.userId,
      subprotocol: record.subprotocol,
      roles: record.roles,
      groups: conn && record.state !== "closed" ? [...conn.groups] : [],
      state: record.state,
      connectedAt: record.connectedAt,
      messagesIn: conn ? conn.messagesIn : record.finalIn,
      messagesOut: conn ? conn.messagesOut : record.finalOut,
    };
    if (record.closeCode !== undefined) view.closeCode = record.closeCode;
    if (record.closeReason !== undefined) view.closeReason = record.closeReason;
    return view;
  }

  /** The timeline of a record, oldest first. */
  timeline(record: ConnectionRecord): (TrafficEntry | DroppedEntry)[] {
    return record.timeline.map((seq, item, time, sequenceId) => {
      if (item !== MESSAGE_OUT) return toEntry(seq, item as Recorded);
      const entry: TrafficEntry = { type: "frameOut", hub: record.hub, connectionId: record.connectionId, frameType: "message", time, seq };
      if (sequenceId > 0) entry.sequenceId = sequenceId;
      return entry;
    });
  }

  /** Connections whose counts changed since the last call; marks them as shown. */
  changedCounters(): CounterUpdate[] {
    const out: CounterUpdate[] = [];
    for (const byId of this.records.values()) {
      for (const record of byId.values()) {
        this.resolve(record);
        const conn = record.conn;
        const messagesIn = conn ? conn.messagesIn : record.finalIn;
        const messagesOut = conn ? conn.messagesOut : record.finalOut;
        if (messagesIn === record.shownIn && messagesOut === record.shownOut) continue;
        record.shownIn = messagesIn;
        record.shownOut = messagesOut;
        out.push({ hub: record.hub, connectionId: record.connectionId, messagesIn, messagesOut });
      }
    }
    return out;
  }

  /** Ends the current sampling window: a pending `dropped` count is recorded now. */
  flushDropped(now = Date.now()): void {
    if (this.dropped === 0) return;
    const entry: DroppedEntry = { type: "dropped", count: this.dropped, seq: 0, time: now };
    this.dropped = 0;
    this.append(entry);
  }

  private record(event: EmulatorEvent): void {
    switch (event.type) {
      case "frameIn":
      case "frameOut":
        return this.recordFrame(event);
      case "connected":
        return this.connected(event);
      case "detached":
      case "recovered":
      case "disconnected": {
        const seq = this.append(event);
        const record = this.records.get(event.hub)?.get(event.connectionId);
        if (!record) return;
        record.timeline.push(seq, event);
        if (event.type === "disconnected") this.disconnected(record, event.closeCode, event.reason);
        else record.state = event.type === "detached" ? "detached" : "open";
        return;
      }
      case "handshakeRefused": {
        // A refused recovery belongs to the story of the connection it tried to take over.
        const seq = this.append(event);
        if (event.connectionId !== undefined && event.hub !== null) this.records.get(event.hub)?.get(event.connectionId)?.timeline.push(seq, event);
        return;
      }
      case "upstream": {
        const seq = this.append(event);
        const record = this.records.get(event.hub)?.get(event.connectionId);
        if (record) record.timeline.push(seq, event);
        else if (event.event === "connect" && event.result !== "rejected") this.hold(seq, event);
        return;
      }
      default:
        this.append(event);
    }
  }

  // Frames are sampled into the traffic log (refusals always kept) and always go to their
  // connection's bounded timeline.
  private recordFrame(event: EmulatorEvent & { type: "frameIn" | "frameOut" }): void {
    const window = Math.floor(event.time / SAMPLE_WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.budget = FRAME_SAMPLE_BUDGET;
      this.flushDropped(event.time);
    }
    const refused = event.error !== undefined || (event.type === "frameOut" && event.success === false);
    let seq: number;
    if (refused || this.budget > 0) {
      if (!refused) this.budget--;
      seq = this.append(event);
    } else {
      this.dropped++;
      seq = ++this.seq;
    }
    // Frames come in runs from one connection: the last record found is tried first.
    let record = this.lastRecord;
    if (record === undefined || record.connectionId !== event.connectionId || record.hub !== event.hub) {
      record = this.records.get(event.hub)?.get(event.connectionId);
      if (!record) return this.hold(seq, event);
      this.lastRecord = record;
    }
    if (event.type === "frameOut" && event.frameType === "message" && !refused) {
      record.timeline.push(seq, MESSAGE_OUT, event.time, event.sequenceId ?? 0);
    } else {
      record.timeline.push(seq, event);
    }
  }

  private connected(event: ConnectedEvent): void {
    this.lastRecord = undefined;
    const seq = this.append(event);
    let byId = this.records.get(event.hub);
    if (!byId) this.records.set(event.hub, (byId = new Map()));
    const record: ConnectionRecord = {
      hub: event.hub,
      connectionId: event.connectionId,
      userId: event.userId,
      subprotocol: event.subprotocol,
      roles: event.roles ?? [],
      connectedAt: event.time,
      claims: event.claims ?? null,
      state: "open",
      conn: undefined,
      finalIn: 0,
      finalOut: 0,
      shownIn: 0,
      shownOut: 0,
      timeline: new Ring<TimelineItem>(TIMELINE_CAPACITY),
    };
    // The connect handler's answer (and frames sent before this event) come first.
    for (const [heldSeq, held] of this.pending.get(event.connectionId) ?? []) record.timeline.push(heldSeq, held);
    this.pending.delete(event.connectionId);
    record.timeline.push(seq, event);
    byId.set(event.connectionId, record);
    // The connection joins its hub right after this event.
    queueMicrotask(() => this.resolve(record));
  }

  private disconnected(record: ConnectionRecord, closeCode: number | undefined, reason: string): void {
    this.resolve(record);
    record.state = "closed";
    if (closeCode !== undefined) record.closeCode = closeCode;
    record.closeReason = reason;
    record.finalIn = record.conn?.messagesIn ?? record.finalIn;
    record.finalOut = record.conn?.messagesOut ?? record.finalOut;
    record.conn = undefined;
    this.closed.push(record);
    if (this.closed.length > CLOSED_CAPACITY) {
      const old = this.closed.shift()!;
      if (this.lastRecord === old) this.lastRecord = undefined;
      const byId = this.records.get(old.hub);
      byId?.delete(old.connectionId);
      if (byId?.size === 0) this.records.delete(old.hub);
    }
  }

  // Keeps an event of a connection not yet registered, within small bounds.
  private hold(seq: number, event: EmulatorEvent): void {
    if (!("connectionId" in event)) return;
    let held = this.pending.get(event.connectionId);
    if (!held) {
      if (this.pending.size >= PENDING_CAPACITY) this.pending.delete(this.pending.keys().next().value as string);
      this.pending.set(event.connectionId, (held = []));
    }
    if (held.length < PENDING_ENTRIES) held.push([seq, event]);
  }

  private resolve(record: ConnectionRecord): void {
    if (record.conn !== undefined || record.state === "closed") return;
    const conn = this.hubs.peek(record.hub)?.connections.get(record.connectionId);
    if (conn) record.conn = conn;
  }

  private append(entry: Recorded): number {
    const seq = ++this.seq;
    if (entry.type === "dropped") entry.seq = seq;
    this.traffic.push(seq, entry);
    this.onEntry(seq, entry);
    return seq;
  }
}

/** The JSON form of one recorded item. */
export function toEntry(seq: number, entry: Recorded): TrafficEntry | DroppedEntry {
  return entry.type === "dropped" ? entry : ({ ...entry, seq } as TrafficEntry);
}
