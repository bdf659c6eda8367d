// Shared test helpers: a started emulator, signed REST calls, WebSocket clients with a
// message inbox, and a real upstream handler server. Everything binds to loopback port 0.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import WebSocket from "ws";
import { AbuseProtectionHeader, CloudEventHeader, encodeFrame, JSON_SUBPROTOCOL, RELIABLE_JSON_SUBPROTOCOL, signJwtSync, type ClientFrame } from "../../src/core/index.js";
import { HubRegistry } from "../../src/emulator/state/index.js";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";
import { EmulatorEvents, formatEvent } from "../../src/emulator/events.js";
import type { Runtime } from "../../src/emulator/runtime.js";
import { routeTable } from "../../generated/routeTable.js";

/** The API version clients send by default: the newest in spec/ (never a literal, so a new version needs no edit here). */
export const API_VERSION: string = routeTable.defaultVersion;


/**
 * Runs `make` with nock's request interception off. nock intercepts client requests for the
 * whole run once any suite imports it, and wraps their sockets: pausing the wrapper does not
 * stop the real socket from reading, and writes may reach the server in other chunks. The
 * emulator tests need the real socket (a client that stops reading, many frames in one read).
 * `new WebSocket()` issues its upgrade request synchronously, so the switch is brief.
 */
export function withRealSockets<T>(make: () => T): T {
  if (!nock.isActive()) return make();
  nock.restore();
  try {
    return make();
  } finally {
    nock.activate();
  }
}

export const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
export const JSON_PROTOCOL = JSON_SUBPROTOCOL;
export const RELIABLE_PROTOCOL = RELIABLE_JSON_SUBPROTOCOL;

/** Starts an emulator on a free port; pass the returned value to `after`. */
export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, ...options });
}

/** The loopback base URL (127.0.0.1, so no test depends on how "localhost" resolves). */
export function base(emu: Emulator): string {
  return `http://127.0.0.1:${emu.port}`;
}

export interface RestOptions {
  query?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  contentType?: string | null;
  /** Override the token; `null` sends no Authorization header. */
  token?: string | null;
  /** Claims added to (or replacing) the default REST token claims. */
  claims?: Record<string, unknown>;
  key?: string;
}

export interface RestResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** Builds `/api/...?query&api-version=<default>` (api-version only when not given). */
export function apiUrl(emu: Emulator, path: string, query: Record<string, string | string[]> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  if (!("api-version" in query)) params.set("api-version", API_VERSION);
  const qs = params.toString();
  return `${base(emu)}${path}${qs ? `?${qs}` : ""}`;
}

/** A REST token whose aud is the full URL, as the JS SDK signs it. */
export function restToken(aud: string, extra: Record<string, unknown> = {}, key = KEY): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwtSync({ aud, iat: now, exp: now + 3600, ...extra }, key);
}

/** Calls the emulator's REST API with a signed token. */
export async function rest(emu: Emulator, method: string, path: string, options: RestOptions = {}): Promise<RestResult> {
  const url = apiUrl(emu, path, options.query);
  return restUrl(method, url, options);
}

/** Calls an absolute URL (e.g. a nextLink) with a signed token. */
export async function restUrl(method: string, url: string, options: RestOptions = {}): Promise<RestResult> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? restToken(url, options.claims, options.key) : options.token;
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  if (options.contentType !== null && options.body !== undefined) {
    headers["content-type"] = options.contentType ?? "text/plain";
  }
  const init: RequestInit = { method, headers };
  if (options.body !== undefined) init.body = options.body as BodyInit;
  return readResult(await fetch(url, init));
}

/** Reads a response whole: status, headers, text, and the JSON when the text is JSON. */
export async function readResult(res: Response): Promise<RestResult> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface ClientTokenOptions {
  userId?: string;
  roles?: string | string[];
  groups?: string | string[];
  expiresIn?: number;
  aud?: string;
  key?: string;
  extra?: Record<string, unknown>;
}

/** A client access token for `hub`, signed like the JS SDK does (http aud, hub not escaped). */
export function clientToken(emu: Emulator, hub: string, o: ClientTokenOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: o.aud ?? `http://127.0.0.1:${emu.port}/client/hubs/${hub}`,
    iat: now,
    exp: now + (o.expiresIn ?? 3600),
    ...o.extra,
  };
  if (o.userId !== undefined) claims["sub"] = o.userId;
  if (o.roles !== undefined) claims["role"] = o.roles;
  if (o.groups !== undefined) claims["webpubsub.group"] = o.groups;
  return signJwtSync(claims, o.key ?? KEY);
}

/** The ws:// URL of a hub with a fresh token. */
export function clientUrl(emu: Emulator, hub: string, o: ClientTokenOptions = {}): string {
  return `ws://127.0.0.1:${emu.port}/client/hubs/${encodeURIComponent(hub)}?access_token=${clientToken(emu, hub, o)}`;
}

/** Header names lower-cased, as Node delivers them in `IncomingMessage#headers`. */
function lowerCased<T extends Record<string, string>>(names: T): { readonly [K in keyof T]: string } {
  return Object.fromEntries(Object.entries(names).map(([k, v]) => [k, v.toLowerCase()])) as { [K in keyof T]: string };
}

/** CloudEvents header names (core's), for reading a recorded upstream request. */
export const CE = lowerCased(CloudEventHeader);

/** Abuse-protection header names (core's), for reading a recorded upstream request. */
export const WEBHOOK = lowerCased(AbuseProtectionHeader);

/** A frame as received: text frames as strings, binary frames as Buffers. */
export type Frame = string | Buffer;

/** A WebSocket client that queues every frame it gets, so tests can await them in order. */
export class TestClient {
  readonly ws: WebSocket;
  private readonly inbox: Frame[] = [];
  private waiters: ((f: Frame) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  connectionId = "";
  reconnectionToken: string | undefined;

  constructor(url: string, protocols?: string | string[], headers?: Record<string, string>) {
    this.ws = withRealSockets(() => new WebSocket(url, protocols, headers ? { headers } : {}));
    this.ws.on("message", (data, isBinary) => {
      const frame: Frame = isBinary ? Buffer.from(data as Buffer) : (data as Buffer).toString("utf8");
      const w = this.waiters.shift();
      if (w) w(frame);
      else this.inbox.push(frame);
    });
    this.ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => this.ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Resolves when the socket is open, or rejects with the handshake status. */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once("open", () => resolve());
      this.ws.once("unexpected-response", (_req, res) => reject(new HandshakeRefused(res.statusCode ?? 0)));
      this.ws.once("error", reject);
    });
  }

  /** The next frame, waiting up to `ms`. */
  next(ms = 5000): Promise<Frame> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no frame within ${ms} ms`));
      }, ms);
      const waiter = (f: Frame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push(waiter);
    });
  }

  /** The next frame parsed as JSON. */
  async nextJson(ms?: number): Promise<any> {
    const f = await this.next(ms);
    if (typeof f !== "string") throw new Error("expected a text frame, got binary");
    return JSON.parse(f);
  }

  /** Skips frames until one matches. */
  async until(predicate: (msg: any) => boolean, ms?: number): Promise<any> {
    for (;;) {
      const msg = await this.nextJson(ms);
      if (predicate(msg)) return msg;
    }
  }

  /** Frames received but not yet read. */
  get pending(): number {
    return this.inbox.length;
  }

  /** Sends a typed frame through the protocol codec, or raw text/bytes as they are (for malformed input). */
  send(msg: ClientFrame | string | Buffer): void {
    this.ws.send(typeof msg === "string" || Buffer.isBuffer(msg) ? msg : encodeFrame(msg));
  }

  /** Sends hand-built wire fields (for malformed or defaulted input) and waits for the ack of their ackId. */
  async requestRaw(fields: Record<string, unknown> & { ackId: unknown }): Promise<any> {
    this.send(wireText(fields));
    return this.until((m) => m.type === "ack" && m.ackId === fields.ackId);
  }

  /** Sends a request with an ackId and waits for its ack. */
  async request(msg: ClientFrame & { ackId: number }): Promise<any> {
    this.send(msg);
    return this.until((m) => m.type === "ack" && m.ackId === msg.ackId);
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Wire text from hand-picked fields, for input the typed codec would not produce: malformed
 * frames, unknown types, or fields left to their wire defaults.
 */
export function wireText(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

/** The handshake answered with an HTTP status instead of 101. */
export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with ${status}`);
  }
}

/** Opens a JSON-protocol client and reads its `connected` message. */
export async function connectJson(
  emu: Emulator,
  hub: string,
  o: ClientTokenOptions = {},
  protocol = JSON_PROTOCOL,
): Promise<TestClient> {
  const c = new TestClient(clientUrl(emu, hub, o), protocol);
  await c.opened();
  const connected = await c.nextJson();
  if (connected.type !== "system" || connected.event !== "connected") throw new Error(`expected connected, got ${JSON.stringify(connected)}`);
  c.connectionId = connected.connectionId;
  c.reconnectionToken = connected.reconnectionToken;
  return c;
}

/** Opens a raw (no subprotocol) client. Its connection id is looked up through the emulator. */
export async function connectRaw(emu: Emulator, hub: string, o: ClientTokenOptions = {}): Promise<TestClient> {
  const before = new Set(emu.connections(hub).map((c) => c.connectionId));
  const c = new TestClient(clientUrl(emu, hub, o));
  await c.opened();
  const id = emu.connections(hub).find((x) => !before.has(x.connectionId))?.connectionId;
  if (!id) throw new Error("raw connection not registered");
  c.connectionId = id;
  return c;
}

/** Asserts that no frame arrives: a sentinel sent after the fact must come first. */
export async function assertNothingBefore(client: TestClient, sentinel: () => Promise<unknown>): Promise<any> {
  await sentinel();
  return client.nextJson();
}

// ---- upstream handler server ----------------------------------------------------------------

/** One CloudEvents request the handler server got. */
export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** What the handler answers. */
export interface UpstreamAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface HandlerServer {
  url: string;
  requests: UpstreamRequest[];
  /** Resolves with the next request of event `name` (ce-eventName), past or future. */
  event(name: string): Promise<UpstreamRequest>;
  close(): Promise<void>;
}

/**
 * A real upstream on loopback. Answers the abuse-protection probe, then calls `answer`
 * for each event (by ce-eventName); no answer means 204.
 */
export async function startHandler(answer: (req: UpstreamRequest) => UpstreamAnswer | undefined = () => undefined): Promise<HandlerServer> {
  const requests: UpstreamRequest[] = [];
  const seen = new Map<string, number>();
  const waiters: { name: string; resolve: (r: UpstreamRequest) => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "OPTIONS" || req.method === "GET") {
        res.writeHead(200, { [AbuseProtectionHeader.allowedOrigin]: "*" });
        res.end();
        return;
      }
      const r: UpstreamRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(r);
      const name = String(req.headers[CE.eventName] ?? "");
      const i = waiters.findIndex((w) => w.name === name);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(r);
      const a = answer(r) ?? {};
      res.writeHead(a.status ?? (a.body === undefined ? 204 : 200), a.headers ?? {});
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/upstream/{event}`,
    requests,
    event(name) {
      const used = seen.get(name) ?? 0;
      const found = requests.filter((r) => r.headers[CE.eventName] === name)[used];
      seen.set(name, used + 1);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ name, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `check` holds, polling; for state that changes without a message to await. */
export async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An array for the clients a test opens; they are closed after each test of the enclosing describe. */
export function clientsClosedAfterEach(): TestClient[] {
  const clients: TestClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  return clients;
}

/** A Runtime for unit tests of one part: fresh hubs, an upstream with no handlers, formatted events into `lines`. */
export function fakeRuntime(lines: string[] = []): Runtime {
  const events = new EmulatorEvents();
  events.on("*", (e) => {
    const line = formatEvent(e);
    if (line !== undefined) lines.push(line);
  });
  return {
    accessKey: KEY,
    hubs: new HubRegistry(),
    upstream: {
      connect: () => Promise.resolve({ kind: "none" }),
      connected: () => undefined,
      disconnected: () => undefined,
      userEvent: () => Promise.resolve({ kind: "none" }),
      hasUserEventHandler: () => false,
      close: () => Promise.resolve(),
    },
    events,
    emit: (event) => events.emit(event),
    log: (message, level = "info") => events.emit({ type: "log", level, message }),
    closing: false,
    recoveryWindowMs: 30_000,
  };
}
