// Assembles one emulator: options, shared runtime, HTTP server and WebSocket upgrades.
// The upstream is injected so this file has no runtime dependency on upstream.ts.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { CloseCode, formatConnectionString, invalidArgument, outOfRange, WebPubSubError } from "../core/index.js";
import { badRequest, notFound } from "./errors.js";
import { handleRest, MAX_BODY_BYTES, writeError } from "./rest/index.js";
import { createHttpServer, type HttpServerTimings } from "./httpServer.js";
import { HubRegistry } from "./state/index.js";
import { EmulatorEvents, formatEvent, type EmulatorEvent } from "./events.js";
import { createLogger } from "./log.js";
import { observeUpstream } from "./observedUpstream.js";
import type { Runtime, Upstream } from "./runtime.js";
import { UpstreamFaults, type HubSettings } from "./upstream/index.js";
import { Dashboard, DASHBOARD_PREFIX } from "./dashboard/index.js";
import { ClientEndpoint, RECOVERY_WINDOW_MS, type ClientConnection } from "./ws/index.js";
import { accessKeyProblem, normalizeHub } from "./validation.js";

/** The well-known development key of the service's own emulator. Never use it outside loopback. */
export const DEFAULT_ACCESS_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to bind. Default `127.0.0.1` (loopback only). */
  host?: string;
  /** HMAC key: at least 32 bytes, no `;`, no control characters. Default {@link DEFAULT_ACCESS_KEY}. */
  accessKey?: string;
  /** Event handler settings per hub (names are case-insensitive). */
  hubs?: Record<string, HubSettings>;
  /**
   * Receives one readable line per connection, disconnection, client request and ack, REST
   * call and upstream event: the {@link Emulator.events} stream, formatted. Never secrets.
   */
  onLog?: (line: string) => void;
  /** Receives every typed event from the start (the `listening` event included); see {@link Emulator.events}. */
  onEvent?: (event: EmulatorEvent) => void;
  /**
   * Serves the live dashboard under `/_dashboard` (default true). Open on loopback; bound to
   * another address it asks for the access key. `false` answers 404 there.
   */
  dashboard?: boolean;
}

/** What a test may want to know about one connection. */
export interface ConnectionInfo {
  /** The service-assigned connection id. */
  connectionId: string;
  /** The user id from the token or the connect handler; null when anonymous. */
  userId: string | null;
  /** The negotiated WebSocket subprotocol; null for a plain WebSocket. */
  subprotocol: string | null;
  /** Groups the connection is in. */
  groups: string[];
  /** `detached` while a dropped reliable connection waits for recovery. */
  state: "open" | "detached";
}

/** A running emulator. */
export interface Emulator {
  /** `http://localhost:<port>` for 127.0.0.1 and the wildcard addresses, else the bound host (`http://[::1]:<port>`). */
  readonly endpoint: string;
  /** `Endpoint=…;AccessKey=…;Version=1.0;` for the service SDKs. */
  readonly connectionString: string;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** `http://localhost:<port>/_dashboard`, or null when started with `dashboard: false`. */
  readonly dashboardUrl: string | null;
  /** Live connections of a hub (case-insensitive), for tests and tooling. */
  connections(hub: string): ConnectionInfo[];
  /** The typed event stream: `emu.events.on("frameIn", (e) => ...)`; returns an unsubscribe function. */
  readonly events: EmulatorEvents;
  /**
   * Stops the emulator: clients get a 1001 close frame (JSON clients a `disconnected` message
   * first), then the server closes. Safe to call twice; never hangs.
   */
  close(): Promise<void>;
  /** `await using emu = await startEmulator()` support: same as {@link Emulator.close}. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Builds the upstream for the given settings; the public entry point passes the real dispatcher. */
export type UpstreamFactory = (options: {
  accessKey: string;
  hubs: Record<string, HubSettings>;
  onLog?: (line: string) => void;
  /** Faults the dashboard arms; the dispatcher applies them to the next calls of a hub. */
  faults: UpstreamFaults;
}) => Upstream;

/** Timings tests may shorten; not part of the public options. */
export interface EmulatorTuning extends HttpServerTimings {
  /** Default RECOVERY_WINDOW_MS (30 s). */
  recoveryWindowMs?: number;
  /** Makes the dashboard ask for the access key even on loopback (tests of the non-loopback rules). */
  dashboardRequiresKey?: boolean;
}

// Close reason sent to every client when the emulator stops.
const SHUTDOWN_REASON = "The service is shutting down.";
// How long close() waits for clients to answer their close frame before cutting the socket.
const CLOSE_HANDSHAKE_MS = 1000;

/** Resolves when every promise settled or after `ms`, whichever comes first; leaves no timer behind. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}

/** Starts an emulator with the given upstream factory. Prefer {@link startEmulator}. */
export async function launchEmulator(
  options: EmulatorOptions,
  makeUpstream: UpstreamFactory,
  tuning: EmulatorTuning = {},
): Promise<Emulator> {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw outOfRange(`port must be an integer 0-65535, got ${port}`);
  const host = options.host ?? "127.0.0.1";
  const accessKey = options.accessKey ?? DEFAULT_ACCESS_KEY;
  checkAccessKey(accessKey);
  const events = new EmulatorEvents();
  if (options.onEvent) events.on("*", options.onEvent);
  if (options.onLog) {
    const print = createLogger(options.onLog, accessKey);
    events.on("*", (event) => {
      const line = formatEvent(event);
      if (line !== undefined) print(line);
    });
  }
  const log = (message: string, level: "info" | "warn" = "info") => events.emit({ type: "log", level, message });
  const hubs: Record<string, HubSettings> = {};
  for (const [name, settings] of Object.entries(options.hubs ?? {})) hubs[normalizeHub(name)] = settings;

  const faults = new UpstreamFaults();
  const upstream = createUpstream(makeUpstream, { accessKey, hubs, onLog: log, faults });

  const state = { closing: false };
  const runtime: Runtime = {
    accessKey,
    hubs: new HubRegistry<ClientConnection>(),
    upstream: observeUpstream(upstream, events),
    events,
    emit: (event) => events.emit(event),
    log,
    recoveryWindowMs: tuning.recoveryWindowMs ?? RECOVERY_WINDOW_MS,
    get closing() {
      return state.closing;
    },
  };

  const dashboard = options.dashboard === false ? undefined : new Dashboard({ runtime, faults, hubSettings: hubs, bindHost: host, requireKey: tuning.dashboardRequiresKey ?? false });

  // Frames above the REST body limit close with 1009, as the service's 1 MB message limit.
  const clients = new ClientEndpoint(runtime, { maxPayload: MAX_BODY_BYTES });
  const server = createHttpServer((req, res) => onRequest(req, res, runtime, dashboard), (line) => log(line, "warn"), tuning);
  const upgrades = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades.add(socket);
    socket.on("close", () => upgrades.delete(socket));
    socket.on("error", () => undefined);
    if (state.closing) return void socket.destroy();
    void clients.upgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      void upstream.close().finally(() => reject(new WebPubSubError("WPS_ERR_LISTEN", `The emulator cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }))),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  const endpoint = `http://${publicHost(host)}:${boundPort}`;
  if (dashboard) dashboard.endpoint = endpoint;
  events.emit({ type: "listening", endpoint });

  let closed: Promise<void> | undefined;
  const emulator: Emulator = {
    endpoint,
    connectionString: formatConnectionString(endpoint, accessKey),
    port: boundPort,
    dashboardUrl: dashboard ? `${endpoint}${DASHBOARD_PREFIX}` : null,
    events,
    connections(hub) {
      const h = runtime.hubs.peek(normalizeHub(hub));
      if (!h) return [];
      return [...h.connections.values()].map((c) => ({
        connectionId: c.id,
        userId: c.userId,
        subprotocol: c.subprotocol,
        groups: [...c.groups],
        state: c.state === "detached" ? "detached" : "open",
      }));
    },
    close() {
      closed ??= (async () => {
        state.closing = true;
        dashboard?.close();
        // Clients learn the service is going away (1001, and `disconnected` first on JSON
        // protocols) instead of seeing 1006, which tells a reliable client to recover.
        const socketsClosed: Promise<void>[] = [];
        for (const hub of runtime.hubs.all()) {
          for (const conn of [...hub.connections.values()]) {
            const ws = conn.socket;
            if (ws && ws.readyState !== ws.CLOSED) socketsClosed.push(new Promise((resolve) => ws.once("close", () => resolve())));
            conn.close(CloseCode.GoingAway, SHUTDOWN_REASON);
          }
        }
        await settleWithin(socketsClosed, CLOSE_HANDSHAKE_MS);
        // Whatever did not answer its close frame in time, and handshakes in flight, are cut.
        for (const socket of upgrades) socket.destroy();
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        clients.close();
        await Promise.allSettled([serverClosed, runtime.upstream.close()]);
      })();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return emulator.close();
    },
  };
  return emulator;
}

function onRequest(req: IncomingMessage, res: ServerResponse, runtime: Runtime, dashboard: Dashboard | undefined): void {
  const path = (req.url ?? "/").split("?")[0]!;
  // The dashboard's routes come first; with the dashboard off they are a plain 404.
  if (dashboard && Dashboard.owns(path)) return void dashboard.handle(req, res, path);
  // Like the service, every response names its request, so errors can be matched to log lines.
  const requestId = randomUUID();
  res.setHeader("x-ms-request-id", requestId);
  if (path === "/api" || path.startsWith("/api/")) {
    void handleRest(req, res, runtime, requestId);
  } else if (path === "/client" || path.startsWith("/client/")) {
    writeError(res, badRequest("This endpoint expects a WebSocket upgrade."));
  } else {
    writeError(res, notFound("Not found."));
  }
}

// Bad hub names and handler settings are bad arguments: give them the stable code.
function createUpstream(makeUpstream: UpstreamFactory, settings: Parameters<UpstreamFactory>[0]): Upstream {
  try {
    return makeUpstream(settings);
  } catch (err) {
    if (err instanceof TypeError && !("code" in err)) throw Object.assign(err, { code: "WPS_ERR_INVALID_ARGUMENT" as const });
    throw err;
  }
}

function checkAccessKey(key: string): void {
  // The message describes the rule only: the key itself never goes into an error.
  const problem = accessKeyProblem(key);
  if (problem) throw invalidArgument(`accessKey ${problem}`);
}

// The host part of the printed endpoint: one that reaches the bound address. "localhost"
// resolves to 127.0.0.1 first, which a server bound to ::1 alone does not answer.
function publicHost(host: string): string {
  if (host === "127.0.0.1" || host === "localhost" || host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
