// The framework-neutral request and reply the dispatcher works on. The Fetch core, the
// node:http listener and the Express middleware each map their own objects to these, so the
// Node adapters skip building a Fetch Request and Response for every event.

/** A request body as an adapter found it. */
export type BodyResult =
  /** The raw bytes, at most the limit. */
  | { kind: "bytes"; bytes: Uint8Array }
  /** A value an earlier body parser (express.json(), express.text()) already produced. */
  | { kind: "parsed"; value: unknown }
  /** More bytes than the limit; nothing was kept. */
  | { kind: "too-large" }
  /** The body could not be read (stream error, consumed without a parsed value). */
  | { kind: "unreadable"; message: string };

/** What the dispatcher reads from an incoming request. */
export interface EventInput {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path without query string, as received. */
  readonly path: string;
  /** The first value of a header, by case-insensitive name. */
  header(name: string): string | undefined;
  /** Reads the whole body, giving up past `limit` bytes. Called at most once. */
  readBody(limit: number): Promise<BodyResult>;
}

/** The reply the dispatcher decided on. A string body is sent as UTF-8. */
export interface EventOutput {
  status: number;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * `handled`: the request was for this handler and `output` is the answer. Otherwise the request
 * is not for this handler (another path, hub or event type): Express passes it to `next()`,
 * the other adapters answer with `output`, a 4xx saying why.
 */
export interface Outcome {
  handled: boolean;
  output: EventOutput;
}
