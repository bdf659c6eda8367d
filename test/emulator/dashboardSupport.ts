// Helpers of the dashboard tests: JSON calls under /_dashboard and a server-sent events reader.
import type { Emulator } from "../../src/emulator/index.js";
import { readResult, withRealSockets, type RestResult } from "./helpers.js";

/** A dashboard answer, read whole (the same shape as a REST call's). */
export type DashResult = RestResult;

/** GET (or another method) on a dashboard path, on 127.0.0.1. */
export async function dashFetch(emu: Emulator, path: string, init: RequestInit = {}): Promise<DashResult> {
  return readResult(await withRealSockets(() => fetch(`http://127.0.0.1:${emu.port}/_dashboard${path}`, init)));
}

/** POSTs a JSON action body, as the page does. */
export function dashPost(emu: Emulator, path: string, body: unknown, headers: Record<string, string> = {}): Promise<DashResult> {
  return dashFetch(emu, path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** One server-sent event. */
export interface SseEvent {
  event: string;
  data: any;
}

/** A reader of /_dashboard/api/events that keeps every event and the raw text. */
export class EventsReader {
  readonly events: SseEvent[] = [];
  raw = "";
  private readonly controller = new AbortController();
  private buffer = "";
  private wake: (() => void) | undefined;
  private done: Promise<void> = Promise.resolve();

  static async open(emu: Emulator, headers: Record<string, string> = {}): Promise<EventsReader> {
    const reader = new EventsReader();
    const res = await withRealSockets(() =>
      fetch(`http://127.0.0.1:${emu.port}/_dashboard/api/events`, { headers, signal: reader.controller.signal }),
    );
    if (res.status !== 200) throw new Error(`events answered ${res.status}: ${await res.text()}`);
    if (!res.headers.get("content-type")?.startsWith("text/event-stream")) throw new Error("not an event stream");
    reader.done = reader.pump(res.body!.getReader());
    return reader;
  }

  /** The first event (past or future) matching `predicate`, waiting up to `ms`. */
  async next(predicate: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no matching server-sent event within ${ms} ms; got ${this.events.map((e) => e.event).join(", ")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Every entry of every `events` batch so far. */
  entries(): any[] {
    return this.events.filter((e) => e.event === "events").flatMap((e) => e.data as any[]);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done.catch(() => undefined);
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const text = decoder.decode(value, { stream: true });
        this.raw += text;
        this.buffer += text;
        let end: number;
        while ((end = this.buffer.indexOf("\n\n")) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          this.parse(block);
        }
      }
    } catch {
      // aborted by close()
    }
  }

  private parse(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    this.events.push({ event, data: JSON.parse(data.join("\n")) });
    this.wake?.();
  }
}
