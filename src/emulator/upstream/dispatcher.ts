// Dispatches connection life-cycle and user events of the emulator to the handlers
// configured per hub (docs/protocol.md#upstream-cloudevents): validation first, then the
// CloudEvents POST with retries. It never logs the access key or `ce-signature`.
import {
  buildEventType,
  CloudEventHeader,
  contentTypeOfDataType,
  MAX_MESSAGE_BYTES,
  normalizeHub,
  parseConnectResponseBody,
  redactUrl,
} from "../../core/index.js";
import { AbuseProtection } from "./abuseProtection.js";
import { encodeEventHeaders } from "./encoding.js";
import { HandlerTable, resolveTemplate, validationUrl, type EventHandlerSettings, type HubSettings } from "./hubSettings.js";
import { HttpExchange, InvalidHeaderError, type Attempt } from "./http.js";
import type { UpstreamFaults } from "./faults.js";
import { sendWithRetries, type RetryPolicy } from "./retries.js";
import type { ConnectEventBody, ConnectOutcome, UpstreamContext, UserEventDataType, UserEventOutcome } from "./types.js";

/** Options of {@link UpstreamDispatcher}. Timings are injectable so tests need not wait. */
export interface UpstreamDispatcherOptions {
  accessKey: string;
  hubs: Record<string, HubSettings>;
  /** Receives one readable line per upstream event. Never holds a key or signature. */
  onLog?: (line: string) => void;
  fetch?: typeof fetch;
  /** Per-attempt timeout of the blocking `connect` event. Default 10 s. */
  connectTimeoutMs?: number;
  /** Per-attempt timeout of other events. Default 100 s, as the service. */
  eventTimeoutMs?: number;
  /** Timeout of the validation probe. Default 10 s. */
  validationTimeoutMs?: number;
  /** Waits before each retry of a 408/5xx/network failure. Default [1000, 3000, 5000]. */
  retryDelaysMs?: number[];
  /** How long a successful validation is trusted. Default 60 s. */
  validationCacheMs?: number;
  /** First and longest wait after a failed validation before probing again. Default 1 s and 60 s. */
  validationBackoffMs?: { initial: number; max: number };
  /** Largest handler reply read, in bytes; a larger one fails the event. Default: the 1 MiB message limit. */
  maxReplyBytes?: number;
  /** Clock for the validation cache and backoff. */
  now?: () => number;
  /** Faults armed on purpose (the dashboard): the next calls of a hub are delayed or fail. */
  faults?: UpstreamFaults;
}

interface EventRequest {
  ctx: UpstreamContext;
  /** `ce-eventName`. */
  event: string;
  /** `ce-type`. */
  type: string;
  handler: EventHandlerSettings;
  contentType: string;
  body: Uint8Array<ArrayBuffer> | string;
  timeoutMs: number;
}

const CONNECT_TYPE = buildEventType("sys", "connect");

/** Dispatches connection events of the emulator to the configured upstream handlers. */
export class UpstreamDispatcher {
  private readonly accessKeys: readonly string[];
  private readonly handlers: HandlerTable;
  private readonly log: (line: string) => void;
  private readonly http: HttpExchange;
  private readonly abuseProtection: AbuseProtection;
  private readonly retry: RetryPolicy;
  private readonly connectTimeoutMs: number;
  private readonly eventTimeoutMs: number;
  private readonly faults: UpstreamFaults | undefined;

  private readonly eventIds = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: UpstreamDispatcherOptions) {
    if (typeof options?.accessKey !== "string" || options.accessKey === "") {
      throw new TypeError("UpstreamDispatcher: accessKey must be a non-empty string");
    }
    this.accessKeys = [options.accessKey];
    this.handlers = new HandlerTable(options.hubs ?? {});
    this.log = options.onLog ?? (() => {});
    this.http = new HttpExchange(options.fetch ?? globalThis.fetch);
    const now = options.now ?? Date.now;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.eventTimeoutMs = options.eventTimeoutMs ?? 100_000;
    this.faults = options.faults;
    this.retry = { delaysMs: options.retryDelaysMs ?? [1_000, 3_000, 5_000], maxReplyBytes: options.maxReplyBytes ?? MAX_MESSAGE_BYTES, now };
    this.abuseProtection = new AbuseProtection(
      this.http,
      {
        timeoutMs: options.validationTimeoutMs ?? 10_000,
        cacheMs: options.validationCacheMs ?? 60_000,
        backoff: options.validationBackoffMs ?? { initial: 1_000, max: 60_000 },
        now,
      },
      this.log,
    );
  }

  /** True when some handler of the hub takes `connect`; without one, token defaults apply. */
  hasConnectHandler(hub: string): boolean {
    return this.handlers.systemHandler(hub, "connect") !== undefined;
  }

  /** True when some handler of the hub takes user event `event`. */
  hasUserEventHandler(hub: string, event: string): boolean {
    return this.handlers.userHandler(hub, event) !== undefined;
  }

  /** Blocking `connect`. */
  connect(ctx: UpstreamContext, body: ConnectEventBody): Promise<ConnectOutcome> {
    const handler = this.handlers.systemHandler(ctx.hub, "connect");
    if (!handler) return Promise.resolve({ kind: "none" });
    return this.track(this.runConnect(ctx, body, handler));
  }

  /** Non-blocking `connected`; the answer is only logged. */
  connected(ctx: UpstreamContext): void {
    this.fireAndForget(ctx, "connected", {});
  }

  /** Non-blocking `disconnected` with body `{"reason": …}`. Ends the connection's event-id sequence. */
  disconnected(ctx: UpstreamContext, reason: string): void {
    this.fireAndForget(ctx, "disconnected", { reason });
    this.eventIds.delete(eventIdKey(ctx));
  }

  /** Blocking user event. */
  userEvent(ctx: UpstreamContext, event: string, data: Uint8Array, dataType: UserEventDataType): Promise<UserEventOutcome> {
    const handler = this.handlers.userHandler(ctx.hub, event);
    if (!handler) return Promise.resolve({ kind: "none" });
    return this.track(this.runUserEvent(ctx, event, data, dataType, handler));
  }

  /** Aborts in-flight requests and retry waits, then waits for them to settle. Later events are dropped. */
  async close(): Promise<void> {
    this.http.close();
    await Promise.allSettled([...this.inFlight]);
  }

  // -------------------------------------------------------------------------

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  private fireAndForget(ctx: UpstreamContext, event: "connected" | "disconnected", body: object): void {
    const handler = this.handlers.systemHandler(ctx.hub, event);
    if (!handler || this.http.closed) return;
    const request: EventRequest = {
      ctx,
      event,
      type: buildEventType("sys", event),
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
      type: CONNECT_TYPE,
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
    const state = attempt.headers.get(CloudEventHeader.connectionState);
    if (state !== null) outcome.connectionState = state;
    if (attempt.status === 204 || attempt.body.length === 0) return outcome;

    const parsed = parseConnectResponseBody(Buffer.from(attempt.body).toString("utf8"));
    if (!parsed.ok) {
      this.log(`upstream ${ctx.hub}/${ctx.connectionId} connect: invalid handler response, ${parsed.message}; rejecting with 500`);
      return { kind: "reject", status: 500 };
    }
    const { userId, groups, roles, subprotocol } = parsed.value;
    // userId overrides even when "" (as the service does); null was dropped as "not set".
    if (userId !== undefined && userId !== null) outcome.userId = userId;
    // Only a non-empty list replaces the token's groups.
    if (groups !== undefined && groups.length > 0) outcome.groups = groups;
    // Roles replace the token's roles, and [] clears them.
    if (roles !== undefined) outcome.roles = roles;
    if (subprotocol !== undefined) outcome.subprotocol = subprotocol;
    return outcome;
  }

  private async runUserEvent(
    ctx: UpstreamContext,
    event: string,
    data: Uint8Array,
    dataType: UserEventDataType,
    handler: EventHandlerSettings,
  ): Promise<UserEventOutcome> {
    const attempt = await this.send({
      ctx,
      event,
      type: buildEventType("user", event),
      handler,
      contentType: contentTypeOfDataType(dataType),
      // A copy: fetch wants a plain ArrayBuffer, and the caller may reuse its buffer.
      body: new Uint8Array(data),
      timeoutMs: this.eventTimeoutMs,
    });
    if (attempt.kind === "error") {
      return attempt.reason === "too-large" ? { kind: "failed", reason: `its reply is larger than the ${this.retry.maxReplyBytes}-byte message limit` } : { kind: "failed" };
    }
    if (attempt.status < 200 || attempt.status > 299) return { kind: "failed", status: attempt.status };
    const outcome: UserEventOutcome & { kind: "ok" } = { kind: "ok" };
    if (attempt.body.length > 0) {
      outcome.data = attempt.body;
      const type = attempt.headers.get("content-type");
      if (type !== null) outcome.contentType = type;
    }
    const state = attempt.headers.get(CloudEventHeader.connectionState);
    if (state !== null) outcome.connectionState = state;
    return outcome;
  }

  /** Validates the handler, then POSTs the event with retries. Logs one line per attempt. */
  private async send(request: EventRequest): Promise<Attempt> {
    const { ctx, event, handler } = request;
    const label = `upstream ${ctx.hub}/${ctx.connectionId} ${event}`;
    const url = resolveTemplate(handler.urlTemplate, event, ctx.hub);
    const shownUrl = redactUrl(url);
    if (this.http.closed) return { kind: "error", reason: "closed", message: "dispatcher closed" };

    const fault = this.faults?.take(normalizeHub(ctx.hub));
    if (fault?.mode === "fail") {
      this.log(`${label} -> ${shownUrl}: not sent, answered ${fault.status} by an injected fault (${fault.remaining} more)`);
      return { kind: "response", status: fault.status, headers: new Headers(), body: new Uint8Array(0) };
    }
    if (fault?.mode === "slow") {
      this.log(`${label} -> ${shownUrl}: delayed ${fault.delayMs} ms by an injected fault (${fault.remaining} more)`);
      if (!(await this.http.sleep(fault.delayMs))) return { kind: "error", reason: "closed", message: "dispatcher closed" };
    }

    let headers: Record<string, string>;
    try {
      // The service numbers events per connection: 0 for connect, then 1, 2, 3…
      const id = request.type === CONNECT_TYPE ? 0 : this.nextEventId(ctx);
      headers = await encodeEventHeaders({ ctx, type: request.type, eventName: event, id, contentType: request.contentType }, this.accessKeys);
    } catch (err) {
      const message = err instanceof InvalidHeaderError ? err.message : String(err);
      this.log(`${label} -> ${shownUrl}: not sent, ${message}`);
      return { kind: "error", reason: "invalid", message };
    }

    if (!(await this.abuseProtection.ensureValidated(validationUrl(handler, ctx.hub), ctx.origin))) {
      this.log(`${label} -> ${shownUrl}: not sent, the handler failed abuse-protection validation`);
      return { kind: "error", reason: "invalid", message: "validation failed" };
    }
    return sendWithRetries(this.http, url, shownUrl, { method: "POST", headers, body: request.body }, request.timeoutMs, this.retry, this.log, label);
  }

  private nextEventId(ctx: UpstreamContext): number {
    const key = eventIdKey(ctx);
    const next = (this.eventIds.get(key) ?? 0) + 1;
    this.eventIds.set(key, next);
    return next;
  }
}

function eventIdKey(ctx: UpstreamContext): string {
  return `${normalizeHub(ctx.hub)}\n${ctx.connectionId}`;
}
