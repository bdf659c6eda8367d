// The emulator's live dashboard under /_dashboard: the page and its assets, the state and
// a connection's story as JSON, a server-sent event stream, and actions. It reads the
// emulator through its typed events and hub state, and never shows a key or a token.
import type { IncomingMessage, ServerResponse } from "node:http";
import { PACKAGE_VERSION } from "../../core/index.js";
import { badRequest, notFound, RestError } from "../errors.js";
import { readBody, writeError } from "../rest/index.js";
import type { Runtime } from "../runtime.js";
import type { HubSettings, UpstreamFaults } from "../upstream/index.js";
import { DashboardAccess } from "./access.js";
import { ACTIONS, testClientUrl, type ActionContext } from "./actions.js";
import { readAsset, readClientBundle, type StaticFile } from "./files.js";
import { Recorder } from "./recorder.js";
import { EventStream } from "./stream.js";
import type { DashboardState, FaultView, HubView } from "./types.js";

/** The path prefix of every dashboard route. */
export const DASHBOARD_PREFIX = "/_dashboard";
// Action bodies are small JSON documents; a send carries at most a message.
const MAX_ACTION_BYTES = 2 * 1024 * 1024;

/** What the dashboard needs of its emulator. */
export interface DashboardInit {
  runtime: Runtime;
  faults: UpstreamFaults;
  /** Hub settings, names normalized: hubs with an event handler. */
  hubSettings: Record<string, HubSettings>;
  /** The address the emulator binds (decides whether a key is needed). */
  bindHost: string;
  /** Ask for the key even on loopback (tests). */
  requireKey?: boolean;
}

/** One emulator's dashboard. */
export class Dashboard {
  private readonly recorder: Recorder;
  private readonly stream: EventStream;
  private readonly access: DashboardAccess;
  private readonly actions: ActionContext;
  /** The emulator's endpoint, set once it listens. */
  endpoint = "";

  constructor(private readonly init: DashboardInit) {
    this.access = new DashboardAccess(init.bindHost, init.runtime.accessKey, init.requireKey ?? false);
    this.actions = { runtime: init.runtime, faults: init.faults };
    this.stream = new EventStream({
      snapshot: () => this.state(),
      changedCounters: () => this.recorder.changedCounters(),
      flushDropped: () => this.recorder.flushDropped(),
    });
    this.recorder = new Recorder(init.runtime.events, init.runtime.hubs, (seq, entry) => this.stream.push(seq, entry));
  }

  /** True for paths this dashboard serves. */
  static owns(path: string): boolean {
    return path === DASHBOARD_PREFIX || path.startsWith(`${DASHBOARD_PREFIX}/`);
  }

  /** Serves one request under /_dashboard. Never throws. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      await this.route(req, res, path.slice(DASHBOARD_PREFIX.length));
    } catch (err) {
      const error = err instanceof RestError ? err : new RestError(500, "Error.InternalServerError", "The dashboard failed to handle the request.");
      if (!res.headersSent) writeError(res, error);
      else res.destroy();
    }
  }

  /** Ends the live streams and stops recording. */
  close(): void {
    this.stream.close();
    this.recorder.close();
  }

  /** The whole state, as `GET /api/state` and the `snapshot` event give it. */
  state(): DashboardState {
    return { endpoint: this.endpoint, version: PACKAGE_VERSION, hubs: this.hubViews(), traffic: this.recorder.trafficEntries() };
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    this.access.checkHost(req);
    const method = req.method ?? "GET";
    if (method === "GET" || method === "HEAD") {
      if (path === "" || path === "/" || path === "/index.html") return sendFile(res, await readAsset("index.html"));
      if (path.startsWith("/assets/")) return sendFile(res, await readAsset(path.slice("/assets/".length)));
      if (path === "/client.js") return sendFile(res, await readClientBundle());
    }
    if (!path.startsWith("/api/")) throw notFound("No dashboard route matches this path.");
    if (method === "POST" && path === "/api/login") {
      this.access.checkOrigin(req);
      const body = await readJson(req);
      const cookie = this.access.login(body["accessKey"]);
      return sendJson(res, 200, { ok: true }, { "set-cookie": cookie });
    }
    this.access.checkSession(req);
    if (method === "GET") {
      if (path === "/api/state") return sendJson(res, 200, this.state());
      if (path === "/api/events") return this.stream.open(res);
      if (path.startsWith("/api/connections/")) return sendJson(res, 200, this.connectionStory(path.slice("/api/connections/".length)));
      throw notFound("No dashboard route matches this path.");
    }
    if (method !== "POST") throw new RestError(405, "Error.MethodNotAllowed", "Dashboard routes take GET or POST.");
    this.access.checkOrigin(req);
    const host = req.headers.host ?? "localhost";
    if (path === "/api/token") return sendJson(res, 200, { ok: true, ...testClientUrl(this.actions, await readJson(req), host) });
    const name = path.startsWith("/api/actions/") ? path.slice("/api/actions/".length) : "";
    // Own properties only: `constructor` or `__proto__` must not reach Object's functions.
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!action) throw notFound("No dashboard action matches this path.");
    const body = await readJson(req);
    return sendJson(res, 200, { ok: true, ...action(this.actions, body, host) });
  }

  private connectionStory(rest: string): unknown {
    const [hubText, idText, extra] = rest.split("/");
    if (hubText === undefined || idText === undefined || extra !== undefined) throw notFound("Expected /api/connections/<hub>/<connectionId>.");
    const hub = decode(hubText).toLowerCase();
    const id = decode(idText);
    const record = this.recorder.connection(hub, id);
    if (!record) throw notFound(`No connection '${id}' in hub '${hub}' (closed ones are kept for a while only).`, "connectionId");
    return {
      connection: this.recorder.view(record),
      claims: record.claims,
      timeline: this.recorder.timeline(record),
      truncated: record.timeline.truncated,
    };
  }

  private hubViews(): HubView[] {
    const names = new Set<string>(Object.keys(this.init.hubSettings));
    for (const hub of this.init.runtime.hubs.all()) names.add(hub.name);
    for (const hub of this.recorder.recordedHubs()) names.add(hub);
    // A fault armed for a hub nobody used yet still shows, so it can be seen and cleared.
    for (const hub of this.init.faults.hubs()) names.add(hub);
    return [...names].sort().map((name) => {
      const connections = this.recorder.hubRecords(name).map((r) => this.recorder.view(r));
      const groups = new Map<string, string[]>();
      for (const conn of this.init.runtime.hubs.peek(name)?.connections.values() ?? []) {
        for (const group of conn.groups) {
          let members = groups.get(group);
          if (!members) groups.set(group, (members = []));
          members.push(conn.id);
        }
      }
      return {
        name,
        upstream: { configured: (this.init.hubSettings[name]?.eventHandlers?.length ?? 0) > 0, fault: this.faultView(name) },
        connections,
        groups: [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([group, members]) => ({ name: group, members })),
      };
    });
  }

  private faultView(hub: string): FaultView | null {
    const fault = this.init.faults.peek(hub);
    if (!fault) return null;
    return fault.mode === "slow"
      ? { mode: "slow", remaining: fault.remaining, delayMs: fault.delayMs }
      : { mode: "fail", remaining: fault.remaining, status: fault.status };
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest("The path has a malformed escape.");
  }
}

/** Reads an action's JSON body: 415 unless `Content-Type: application/json`, 400 unless an object. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new RestError(415, "Error.UnsupportedMediaType", "Dashboard actions take Content-Type: application/json.", "Content-Type");
  }
  const text = (await readBody(req, MAX_ACTION_BYTES)).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("The body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw badRequest("The body must be a JSON object.");
  return value as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

function sendFile(res: ServerResponse, file: StaticFile): void {
  res.writeHead(200, {
    "content-type": file.contentType,
    "content-length": String(file.body.length),
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    // The page is not to be framed by other sites (clickjacking of the actions).
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
  });
  res.end(file.body);
}
