// Upstream event handlers: CloudEvents over HTTP in binary mode (reference §3).
// The dispatcher turns connection life-cycle and user events into POSTs to the
// handlers configured per hub, after the abuse-protection probe (§3.2), with
// [emu]'s retry rules. It never logs the access key or `ce-signature`.
import { randomUUID } from "node:crypto";
import { hmacSha256Hex, redactUrl } from "../core/index.js";
import { isValidHub, normalizeHub } from "./validation.js";

/** Per-hub settings; mirrors the ARM hub model's `eventHandlers` (§3.6). */
export interface HubSettings {
  /** Event handlers, tried in order; the first whose event pattern matches gets the event. */
  eventHandlers?: EventHandlerSettings[];
}

/** One upstream handler. The first handler matching an event wins. */
export interface EventHandlerSettings {
  /** Absolute http(s) URL; `{event}` and `{hub}` are replaced (escaped), not allowed in the host. */
  urlTemplate: string;
  /** `*`, a comma-separated list, or one event name. Absent: no user events. */
  userEventPattern?: string;
  /** Any of `connect`, `connected`, `disconnected`. */
  systemEvents?: string[];
}

/** The connection an event is about. */
export interface UpstreamContext {
  hub: string;
  connectionId: string;
  userId: string | null;
  subprotocol: string | null;
  /** Host of the client request; sent as `WebHook-Request-Origin`. */
  origin: string;
  connectionState?: string;
}

/** Body of the `connect` event (§3.3). Every map value is an array. */
export interface ConnectEventBody {
  claims: Record<string, string[]>;
  query: Record<string, string[]>;
  headers: Record<string, string[]>;
  subprotocols: string[];
  clientCertificates: { thumbprint: string; content: string }[];
}

/** What the `connect` handler decided. */
export type ConnectOutcome =
  | { kind: "accept"; userId?: string | null; groups?: string[]; roles?: string[]; subprotocol?: string; connectionState?: string }
  | { kind: "reject"; status: number }
  | { kind: "none" };

/** What a user-event handler answered. Absent or empty `data` means nothing goes back to the client. */
export type UserEventOutcome =
  | { kind: "ok"; data?: Uint8Array; contentType?: string; connectionState?: string }
  | { kind: "failed"; status?: number }
  | { kind: "none" };

/** Options of {@link UpstreamDispatcher}. Timings are injectable so tests need not wait. */
export interface UpstreamDispatcherOptions {
  accessKey: string;
  hubs: Record<string, HubSettings>;
  /** Receives one readable line per upstream event. Never holds a key or signature. */
  onLog?: (line: string) => void;
  fetch?: typeof fetch;
  /** Per-attempt timeout of the blocking `connect` event. Default 10 s. */
  connectTimeoutMs?: number;
  /** Per-attempt timeout of other events. Default 100 s ([emu]). */
  eventTimeoutMs?: number;
  /** Timeout of the validation probe. Default 10 s ([emu]). */
  validationTimeoutMs?: number;
  /** Waits before each retry of a 408/5xx/network failure. Default [1000, 3000, 5000] ([emu]). */
  retryDelaysMs?: number[];
  /** How long a successful validation is trusted. Default 60 s ([emu]). */
  validationCacheMs?: number;
  /** First and longest wait after a failed validation before probing again. Default 1 s and 60 s ([emu]). */
  validationBackoffMs?: { initial: number; max: number };
  /** Clock for the validation cache and backoff. */
  now?: () => number;
}

const SYSTEM_EVENTS: ReadonlySet<string> = new Set(["connect", "connected", "disconnected"]);
const PLACEHOLDER = /\{(event|hub)\}/gi;

/** Throws a TypeError naming the bad field (`path` prefixes it, e.g. `hubs`). Returns hubs keyed by lower-cased name. */
export function validateHubSettings(value: unknown, path = "hubs"): Map<string, HubSettings> {
  if (!isPlainObject(value)) throw new TypeError(`${path} must be an object mapping hub names to settings`);
  const hubs = new Map<string, HubSettings>();
  for (const [hub, settings] of Object.entries(value)) {
    const hubPath = `${path}.${hub}`;
    // Same rule as the REST hub parameter (§1.7).
    if (!isValidHub(hub)) {
      throw new TypeError(`${hubPath}: '${hub}' is not a valid hub name (a letter, then up to 127 letters, digits or _\`,.[])`);
    }
    const key = normalizeHub(hub);
    if (hubs.has(key)) throw new TypeError(`${hubPath}: hub names are case-insensitive and '${hub}' is listed twice`);
    if (!isPlainObject(settings)) throw new TypeError(`${hubPath} must be an object`);
    rejectUnknownKeys(settings, ["eventHandlers"], hubPath);
    const result: HubSettings = {};
    const handlers = settings["eventHandlers"];
    if (handlers !== undefined) {
      if (!Array.isArray(handlers)) throw new TypeError(`${hubPath}.eventHandlers must be an array`);
      result.eventHandlers = handlers.map((h: unknown, i) => validateHandler(h, `${hubPath}.eventHandlers[${i}]`));
    }
    hubs.set(key, result);
  }
  return hubs;
}

function validateHandler(value: unknown, path: string): EventHandlerSettings {
  if (!isPlainObject(value)) throw new TypeError(`${path} must be an object`);
  rejectUnknownKeys(value, ["urlTemplate", "userEventPattern", "systemEvents"], path);
  const template = value["urlTemplate"];
  if (typeof template !== "string" || template.trim() === "") {
    throw new TypeError(`${path}.urlTemplate must be a non-empty string such as "http://localhost:3000/api/{event}"`);
  }
  checkUrlTemplate(template, `${path}.urlTemplate`);
  const handler: EventHandlerSettings = { urlTemplate: template };
  const pattern = value["userEventPattern"];
  if (pattern !== undefined) {
    if (typeof pattern !== "string" || pattern.split(",").some((p) => p.trim() === "")) {
      throw new TypeError(`${path}.userEventPattern must be "*", one event name, or a comma-separated list of names`);
    }
    handler.userEventPattern = pattern;
  }
  const system = value["systemEvents"];
  if (system !== undefined) {
    if (!Array.isArray(system)) throw new TypeError(`${path}.systemEvents must be an array`);
    system.forEach((name: unknown, i) => {
      if (typeof name !== "string" || !SYSTEM_EVENTS.has(name.toLowerCase())) {
        throw new TypeError(`${path}.systemEvents[${i}] must be "connect", "connected" or "disconnected"`);
      }
    });
    handler.systemEvents = system as string[];
  }
  return handler;
}

function checkUrlTemplate(template: string, path: string): void {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(template);
  if (authority?.[1]?.includes("{")) {
    throw new TypeError(`${path}: placeholders are not allowed in the host ("${redactUrl(template)}")`);
  }
  let url: URL;
  try {
    url = new URL(template.replace(PLACEHOLDER, "x"));
  } catch {
    throw new TypeError(`${path} is not an absolute URL ("${redactUrl(template)}")`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${path} must use http or https ("${redactUrl(template)}")`);
  }
}

/** A typo (`eventHandler`) or an unsupported ARM field (`auth`, `eventListeners`) would otherwise be ignored silently. */
function rejectUnknownKeys(value: Record<string, unknown>, known: string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${path}.${key} is not supported (expected ${known.join(", ")})`);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Node's fetch only takes Latin-1 header values: send UTF-8 bytes, as a UTF-8 service would. */
function headerValue(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    throw new UpstreamRequestError(`${name} contains control characters and cannot be sent as a header`);
  }
  return Buffer.from(value, "utf8").toString("latin1");
}

class UpstreamRequestError extends Error {}

type Attempt =
  | { kind: "response"; status: number; headers: Headers; body: Uint8Array }
  | { kind: "error"; reason: "network" | "timeout" | "closed" | "invalid"; message: string };

type Validation =
  | { state: "ok"; until: number }
  | { state: "failed"; retryAt: number; backoffMs: number }
  | { state: "pending"; promise: Promise<boolean> };

interface EventRequest {
  ctx: UpstreamContext;
  event: string; // ce-eventName
  type: string; // ce-type
  handler: EventHandlerSettings;
  contentType: string;
  body: Uint8Array<ArrayBuffer> | string;
  timeoutMs: number;
}

/** Dispatches connection events of the emulator to the configured upstream handlers. */
export class UpstreamDispatcher {
  private readonly accessKey: string;
  private readonly hubs: Map<string, HubSettings>;
  private readonly log: (line: string) => void;
  private readonly fetchImpl: typeof fetch;
  private readonly connectTimeoutMs: number;
  private readonly eventTimeoutMs: number;
  private readonly validationTimeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly validationCacheMs: number;
  private readonly backoff: { initial: number; max: number };
  private readonly now: () => number;

  private readonly validations = new Map<string, Validation>();
  private readonly eventIds = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();

  constructor(options: UpstreamDispatcherOptions) {
    if (typeof options?.accessKey !== "string" || options.accessKey === "") {
      throw new TypeError("UpstreamDispatcher: accessKey must be a non-empty string");
    }
    this.accessKey = options.accessKey;
    this.hubs = validateHubSettings(options.hubs ?? {});
    this.log = options.onLog ?? (() => {});
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.eventTimeoutMs = options.eventTimeoutMs ?? 100_000;
    this.validationTimeoutMs = options.validationTimeoutMs ?? 10_000;
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 3_000, 5_000];
    this.validationCacheMs = options.validationCacheMs ?? 60_000;
    this.backoff = options.validationBackoffMs ?? { initial: 1_000, max: 60_000 };
    this.now = options.now ?? Date.now;
  }

  /** True when some handler of the hub takes `connect`; without one, token defaults apply. */
  hasConnectHandler(hub: string): boolean {
    return this.systemHandler(hub, "connect") !== undefined;
  }

  /** True when some handler of the hub takes user event `event`. */
  hasUserEventHandler(hub: string, event: string): boolean {
    return this.userHandler(hub, event) !== undefined;
  }

  /** Blocking `connect` (§3.3). */
  connect(ctx: UpstreamContext, body: ConnectEventBody): Promise<ConnectOutcome> {
    const handler = this.systemHandler(ctx.hub, "connect");
    if (!handler) return Promise.resolve({ kind: "none" });
    return this.track(this.runConnect(ctx, body, handler));
  }

  /** Non-blocking `connected`; the answer is only logged (§3.4). */
  connected(ctx: UpstreamContext): void {
    this.fireAndForget(ctx, "connected", {});
  }

  /** Non-blocking `disconnected` with body `{"reason": …}` (§3.4). Ends the connection's event-id sequence. */
  disconnected(ctx: UpstreamContext, reason: string): void {
    this.fireAndForget(ctx, "disconnected", { reason });
    this.eventIds.delete(eventIdKey(ctx));
  }

  /** Blocking user event (§3.5). */
  userEvent(ctx: UpstreamContext, event: string, data: Uint8Array, dataType: "text" | "json" | "binary"): Promise<UserEventOutcome> {
    const handler = this.userHandler(ctx.hub, event);
    if (!handler) return Promise.resolve({ kind: "none" });
    return this.track(this.runUserEvent(ctx, event, data, dataType, handler));
  }

  /** Aborts in-flight requests and retry waits, then waits for them to settle. Later events are dropped. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  // -------------------------------------------------------------------------

  private handlersOf(hub: string): EventHandlerSettings[] {
    return this.hubs.get(normalizeHub(hub))?.eventHandlers ?? [];
  }

  private systemHandler(hub: string, event: string): EventHandlerSettings | undefined {
    return this.handlersOf(hub).find((h) => h.systemEvents?.some((e) => e.toLowerCase() === event) ?? false);
  }

  private userHandler(hub: string, event: string): EventHandlerSettings | undefined {
    const name = event.toLowerCase();
    return this.handlersOf(hub).find((h) => {
      const pattern = h.userEventPattern?.trim();
      if (!pattern) return false;
      if (pattern === "*") return true;
      // Event names are case-insensitive ([emu], §1.7).
      return pattern.split(",").some((p) => p.trim().toLowerCase() === name);
    });
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  private fireAndForget(ctx: UpstreamContext, event: "connected" | "disconnected", body: object): void {
    const handler = this.systemHandler(ctx.hub, event);
    if (!handler || this.closing.signal.aborted) return;
    const request: EventRequest = {
      ctx,
      event,
      type: `azure.webpubsub.sys.${event}`,
      handler,
      contentType: "application/json",
      body: JSON.stringify(body),
      timeoutMs: this.eventTimeoutMs,
    };
    // The result is only logged (inside send); errors never escape a non-blocking event.
    this.track(this.send(request).catch(() => undefined));
  }

  private async runConnect(ctx: UpstreamContext, body: ConnectEventBody, handler: EventHandlerSettings): Promise<ConnectOutcome> {
    const attempt = await this.send({
      ctx,
      event: "connect",
      type: "azure.webpubsub.sys.connect",
      handler,
      contentType: "application/json",
      body: JSON.stringify(body),
      timeoutMs: this.connectTimeoutMs,
    });
    if (attempt.kind === "error") return { kind: "reject", status: attempt.reason === "timeout" ? 504 : 500 };
    if (attempt.status < 200 || attempt.status > 299) {
      return { kind: "reject", status: attempt.status >= 400 && attempt.status <= 599 ? attempt.status : 500 };
    }
    const outcome: ConnectOutcome & { kind: "accept" } = { kind: "accept" };
    const state = attempt.headers.get("ce-connectionState");
    if (state !== null) outcome.connectionState = state;
    if (attempt.status === 204 || attempt.body.length === 0) return outcome;

    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(attempt.body).toString("utf8"));
    } catch {
      return this.badConnectResponse(ctx, "the body is not JSON");
    }
    // An empty or null body keeps the token defaults ([emu]).
    if (parsed === null) return outcome;
    if (!isPlainObject(parsed)) return this.badConnectResponse(ctx, "the body is not a JSON object");

    const { userId, groups, roles, subprotocol } = parsed;
    // userId overrides even when "" ([emu]); null means "not set".
    if (userId !== undefined && userId !== null) {
      if (typeof userId !== "string") return this.badConnectResponse(ctx, "'userId' must be a string");
      outcome.userId = userId;
    }
    if (groups !== undefined && groups !== null) {
      if (!isStringArray(groups)) return this.badConnectResponse(ctx, "'groups' must be an array of strings");
      // Only a non-empty list replaces the token's groups ([emu]).
      if (groups.length > 0) outcome.groups = groups;
    }
    if (roles !== undefined && roles !== null) {
      if (!isStringArray(roles)) return this.badConnectResponse(ctx, "'roles' must be an array of strings");
      // Roles replace the token's roles, and [] clears them ([emu]).
      outcome.roles = roles;
    }
    if (subprotocol !== undefined && subprotocol !== null) {
      if (typeof subprotocol !== "string" || subprotocol.trim() === "") {
        return this.badConnectResponse(ctx, "'subprotocol' must be a non-blank string");
      }
      outcome.subprotocol = subprotocol;
    }
    return outcome;
  }

  private badConnectResponse(ctx: UpstreamContext, why: string): ConnectOutcome {
    this.log(`upstream ${ctx.hub}/${ctx.connectionId} connect: invalid handler response, ${why}; rejecting with 500`);
    return { kind: "reject", status: 500 };
  }

  private async runUserEvent(
    ctx: UpstreamContext,
    event: string,
    data: Uint8Array,
    dataType: "text" | "json" | "binary",
    handler: EventHandlerSettings,
  ): Promise<UserEventOutcome> {
    const contentType =
      dataType === "text" ? "text/plain; charset=utf-8" : dataType === "json" ? "application/json; charset=utf-8" : "application/octet-stream";
    const attempt = await this.send({
      ctx,
      event,
      type: `azure.webpubsub.user.${event}`,
      handler,
      contentType,
      // A copy: fetch wants a plain ArrayBuffer, and the caller may reuse its buffer.
      body: new Uint8Array(data),
      timeoutMs: this.eventTimeoutMs,
    });
    if (attempt.kind === "error") return { kind: "failed" };
    if (attempt.status < 200 || attempt.status > 299) return { kind: "failed", status: attempt.status };
    const outcome: UserEventOutcome & { kind: "ok" } = { kind: "ok" };
    if (attempt.body.length > 0) {
      outcome.data = attempt.body;
      const type = attempt.headers.get("content-type");
      if (type !== null) outcome.contentType = type;
    }
    const state = attempt.headers.get("ce-connectionState");
    if (state !== null) outcome.connectionState = state;
    return outcome;
  }

  /** Validates the handler, then POSTs the event with [emu]'s retries. Logs one line. */
  private async send(request: EventRequest): Promise<Attempt> {
    const { ctx, event, handler } = request;
    const label = `upstream ${ctx.hub}/${ctx.connectionId} ${event}`;
    const url = resolveTemplate(handler.urlTemplate, event, ctx.hub);
    const shownUrl = redactUrl(url);
    if (this.closing.signal.aborted) return { kind: "error", reason: "closed", message: "dispatcher closed" };

    let headers: Record<string, string>;
    try {
      headers = await this.eventHeaders(request);
    } catch (err) {
      const message = err instanceof UpstreamRequestError ? err.message : String(err);
      this.log(`${label} -> ${shownUrl}: not sent, ${message}`);
      return { kind: "error", reason: "invalid", message };
    }

    const validateUrl = resolveTemplate(handler.urlTemplate, "validate", ctx.hub);
    if (!(await this.ensureValidated(validateUrl, ctx.origin))) {
      this.log(`${label} -> ${shownUrl}: not sent, the handler failed abuse-protection validation`);
      return { kind: "error", reason: "invalid", message: "validation failed" };
    }

    const started = this.now();
    for (let retry = 0; ; retry++) {
      const attempt = await this.request(url, { method: "POST", headers, body: request.body }, request.timeoutMs);
      const retryable =
        (attempt.kind === "response" && (attempt.status === 408 || attempt.status >= 500)) ||
        (attempt.kind === "error" && attempt.reason === "network");
      const delay = this.retryDelaysMs[retry];
      const outcome = attempt.kind === "response" ? `${attempt.status}` : `${attempt.reason} error (${attempt.message})`;
      if (!retryable || delay === undefined) {
        const tries = retry > 0 ? ` after ${retry + 1} attempts` : "";
        this.log(`${label} -> POST ${shownUrl}: ${outcome}${tries} (${Math.max(0, this.now() - started)} ms)`);
        return attempt;
      }
      this.log(`${label} -> POST ${shownUrl}: ${outcome}, retrying in ${delay} ms`);
      if (!(await this.sleep(delay))) return { kind: "error", reason: "closed", message: "dispatcher closed" };
    }
  }

  private async eventHeaders(request: EventRequest): Promise<Record<string, string>> {
    const { ctx, event } = request;
    const id = request.type === "azure.webpubsub.sys.connect" ? 0 : this.nextEventId(ctx);
    const headers: Record<string, string> = {
      "Content-Type": request.contentType,
      "WebHook-Request-Origin": headerValue("WebHook-Request-Origin", ctx.origin),
      "ce-specversion": "1.0",
      "ce-awpsversion": "1.0",
      "ce-type": headerValue("ce-type", request.type),
      "ce-source": headerValue("ce-source", `/hubs/${ctx.hub}/client/${ctx.connectionId}`),
      "ce-id": String(id),
      "ce-time": new Date().toISOString(),
      "ce-hub": headerValue("ce-hub", ctx.hub),
      "ce-connectionId": headerValue("ce-connectionId", ctx.connectionId),
      "ce-eventName": headerValue("ce-eventName", event),
      "ce-signature": `sha256=${await hmacSha256Hex(this.accessKey, ctx.connectionId)}`,
      "x-ms-client-request-id": randomUUID(),
    };
    if (ctx.userId !== null) headers["ce-userId"] = headerValue("ce-userId", ctx.userId);
    if (ctx.subprotocol !== null) headers["ce-subprotocol"] = headerValue("ce-subprotocol", ctx.subprotocol);
    if (ctx.connectionState !== undefined && ctx.connectionState !== "") {
      headers["ce-connectionState"] = headerValue("ce-connectionState", ctx.connectionState);
    }
    return headers;
  }

  /** [emu] numbers events per connection: 0 for connect, then 1, 2, 3… */
  private nextEventId(ctx: UpstreamContext): number {
    const key = eventIdKey(ctx);
    const next = (this.eventIds.get(key) ?? 0) + 1;
    this.eventIds.set(key, next);
    return next;
  }

  /** Abuse protection (§3.2): probe once per handler URL and origin, cache success, back off on failure. */
  private async ensureValidated(url: string, origin: string): Promise<boolean> {
    const key = `${url}\n${origin.toLowerCase()}`;
    const entry = this.validations.get(key);
    const now = this.now();
    if (entry?.state === "ok" && now < entry.until) return true;
    if (entry?.state === "failed" && now < entry.retryAt) return false;
    if (entry?.state === "pending") return entry.promise;

    const previousBackoff = entry?.state === "failed" ? entry.backoffMs : undefined;
    const promise = this.probe(url, origin).then((ok) => {
      const at = this.now();
      if (ok) {
        this.validations.set(key, { state: "ok", until: at + this.validationCacheMs });
      } else {
        const backoffMs = previousBackoff === undefined ? this.backoff.initial : Math.min(previousBackoff * 2, this.backoff.max);
        this.validations.set(key, { state: "failed", retryAt: at + backoffMs, backoffMs });
      }
      return ok;
    });
    this.validations.set(key, { state: "pending", promise });
    return promise;
  }

  private async probe(url: string, origin: string): Promise<boolean> {
    const shown = redactUrl(url);
    let headers: Record<string, string>;
    try {
      headers = { "WebHook-Request-Origin": headerValue("WebHook-Request-Origin", origin), "ce-awpsversion": "1.0" };
    } catch {
      return false;
    }
    let method = "OPTIONS";
    let attempt = await this.request(url, { method, headers }, this.validationTimeoutMs);
    // Handlers that route only POST/GET answer OPTIONS with 404; [emu] then retries with GET.
    if (attempt.kind === "response" && attempt.status === 404) {
      method = "GET";
      attempt = await this.request(url, { method, headers }, this.validationTimeoutMs);
    }
    if (attempt.kind === "error") {
      this.log(`upstream validate -> ${method} ${shown}: failed, ${attempt.reason} error (${attempt.message})`);
      return false;
    }
    if (attempt.status < 200 || attempt.status > 299) {
      this.log(`upstream validate -> ${method} ${shown}: failed, status ${attempt.status}`);
      return false;
    }
    const allowed = attempt.headers.get("WebHook-Allowed-Origin");
    // Express sends a list of hosts as repeated headers, which fetch joins with ", ".
    const origins = (allowed ?? "").split(",").map((o) => o.trim().toLowerCase());
    if (!origins.includes("*") && !origins.includes(origin.toLowerCase())) {
      this.log(
        `upstream validate -> ${method} ${shown}: failed, WebHook-Allowed-Origin ${allowed === null ? "is missing" : `"${allowed}" does not allow "${origin}"`}`,
      );
      return false;
    }
    this.log(`upstream validate -> ${method} ${shown}: ok`);
    return true;
  }

  /** One HTTP exchange, body included, bounded by `timeoutMs` and by close(). */
  private async request(url: string, init: { method: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> | string }, timeoutMs: number): Promise<Attempt> {
    if (this.closing.signal.aborted) return { kind: "error", reason: "closed", message: "dispatcher closed" };
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([this.closing.signal, timeout]);
    try {
      const response = await this.fetchImpl(url, { ...init, signal });
      const body = new Uint8Array(await response.arrayBuffer());
      return { kind: "response", status: response.status, headers: response.headers, body };
    } catch (err) {
      if (this.closing.signal.aborted) return { kind: "error", reason: "closed", message: "dispatcher closed" };
      if (timeout.aborted) return { kind: "error", reason: "timeout", message: `no answer within ${timeoutMs} ms` };
      return { kind: "error", reason: "network", message: describeNetworkError(err) };
    }
  }

  /** Resolves false when close() interrupts the wait. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      timer.unref?.();
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function eventIdKey(ctx: UpstreamContext): string {
  return `${normalizeHub(ctx.hub)}\n${ctx.connectionId}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** Fills `{event}` and `{hub}`, URL-escaped (§3.6). */
export function resolveTemplate(template: string, event: string, hub: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => encodeURIComponent(name.toLowerCase() === "event" ? event : hub));
}

function describeNetworkError(err: unknown): string {
  // fetch wraps the socket error ("fetch failed"); its cause says what happened, e.g. ECONNREFUSED.
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}
