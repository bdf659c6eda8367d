// The decisions shared by every adapter: is this request ours, is it signed, is it well formed,
// which callback gets it, and what goes back. Headers are checked before the body is read, and
// the body before any callback runs.
import {
  AbuseProtectionHeader,
  CloudEventHeader,
  dataTypeOfEventContentType,
  decodeConnectionState,
  invalidArgument,
  isMqttRequest,
  timingSafeEqualText,
  parseConnectionString,
  parseConnectRequestBody,
  parseDisconnectedBody,
  parseGroupEventBody,
  readCloudEvent,
  verifySignature,
  type ReceivedCloudEvent,
} from "../core/index.js";
import { notMine, refuse, errorOutput } from "./errors.js";
import type { BodyResult, EventInput, EventOutput, Outcome } from "./exchange.js";
import { connectReply, ReplySlot, userEventReply } from "./replies.js";
import { bodyText, readConnectedBody, readUserEvent } from "./requests.js";
import type { ConnectRequest, ConnectionContext, HandlerResult, WebPubSubEventHandlerOptions } from "./types.js";

type EventKind = "connect" | "connected" | "disconnected" | "joined" | "left" | "user";

/** The callback family of a core event name (MQTT events share the callbacks of the others). */
const KINDS: Record<string, EventKind> = {
  connect: "connect",
  "mqtt.connect": "connect",
  connected: "connected",
  "mqtt.connected": "connected",
  disconnected: "disconnected",
  "mqtt.disconnected": "disconnected",
  "group.joined": "joined",
  "group.left": "left",
};

const H = { origin: AbuseProtectionHeader.requestOrigin, awpsVersion: CloudEventHeader.awpsVersion, hub: CloudEventHeader.hub, contentLength: "content-length" };

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Connections whose verified signature is remembered; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;
const EMPTY: EventOutput = { status: 200, headers: {} };

/** Matches request paths against the configured one. */
class PathMatcher {
  readonly path: string;
  private readonly exact: string | undefined;
  private readonly pattern: RegExp | undefined;

  constructor(path: string) {
    if (typeof path !== "string" || !path.startsWith("/")) throw invalidArgument(`path must start with "/", got ${JSON.stringify(path)}`);
    if (/[?#]/.test(path)) throw invalidArgument("path must not contain a query or fragment");
    const lower = path.toLowerCase();
    this.path = lower.endsWith("/") ? lower : `${lower}/`;
    const bare = trimSlash(lower);
    if (!bare.includes("{event}")) {
      this.exact = bare;
      return;
    }
    const segments = bare.split("/").map((s) => (s === "{event}" ? "[^/]+" : escapeRegExp(s)));
    if (segments.filter((s) => s === "[^/]+").length !== bare.split("{event}").length - 1) {
      throw invalidArgument("path: {event} must be a whole path segment, as in /eventhandler/{event}");
    }
    this.pattern = new RegExp(`^${segments.join("/")}$`);
  }

  /** Exact match, case-insensitive, one trailing slash optional: no prefix matching. */
  matches(requestPath: string): boolean {
    const candidate = trimSlash(requestPath.toLowerCase());
    return this.exact !== undefined ? candidate === this.exact : this.pattern!.test(candidate);
  }
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Resolved options: the access keys, origin list and callbacks. */
export class EventDispatcher {
  readonly hub: string;
  private readonly hubLower: string;
  private readonly matcher: PathMatcher;
  private readonly allowedHosts: ReadonlySet<string> | undefined;
  private readonly maxBodyBytes: number;
  private readonly options: WebPubSubEventHandlerOptions;
  private readonly log: NonNullable<WebPubSubEventHandlerOptions["onLog"]>;
  private keys: readonly string[];
  private readonly verify: boolean;
  /**
   * The last signature header verified per connection id. The service signs every event of a
   * connection with the same header, so a constant-time comparison with it spares the HMACs.
   * Only verified headers go in; a key change empties it.
   */
  private readonly verified = new Map<string, string>();

  constructor(hub: string, options: WebPubSubEventHandlerOptions) {
    if (typeof hub !== "string" || hub.trim() === "") throw invalidArgument("hub must be a non-empty string");
    this.hub = hub;
    this.hubLower = hub.toLowerCase();
    this.options = options;
    this.matcher = new PathMatcher(options.path ?? `/api/webpubsub/hubs/${hub}/`);
    this.log = options.onLog ?? defaultLog;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(this.maxBodyBytes) || this.maxBodyBytes < 1) throw invalidArgument("maxBodyBytes must be a positive integer");
    if (options.allowedEndpoints !== undefined) {
      if (!Array.isArray(options.allowedEndpoints)) throw invalidArgument("allowedEndpoints must be an array of URLs");
      this.allowedHosts = new Set(options.allowedEndpoints.map(hostOf));
    }
    this.keys = collectKeys(options);
    this.verify = options.unsafeSkipSignatureVerification !== true;
    if (this.verify && this.keys.length === 0) {
      throw invalidArgument(
        "WebPubSubEventHandler needs the access keys that sign events: pass accessKeys or connectionString " +
          "(or unsafeSkipSignatureVerification: true, which lets anyone forge events)",
      );
    }
    if (!this.verify) {
      this.log("warning", `WebPubSubEventHandler(${hub}): ce-signature verification is OFF; anyone who can reach ${this.matcher.path} can forge events`);
    }
  }

  /** The normalised path, with a trailing slash. */
  get path(): string {
    return this.matcher.path;
  }

  /** Replaces the access keys (key rotation); the next event is verified against the new list. */
  updateAccessKeys(keys: readonly string[]): void {
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string" && k !== "")) {
      throw invalidArgument("updateAccessKeys takes a non-empty array of non-empty strings");
    }
    this.keys = [...keys];
    this.verified.clear();
  }

  /** Decides what to answer; never throws, never calls a callback with a malformed event. */
  async dispatch(input: EventInput): Promise<Outcome> {
    if (!this.matcher.matches(input.path)) return notMine(404, "WPS_ERR_EVENT_PATH", `no Web PubSub event handler at this path; this one listens at ${this.matcher.path}`);
    if (input.method === "OPTIONS") return this.validate(input);
    if (input.method !== "POST") return notMine(405, "WPS_ERR_EVENT_METHOD", "Web PubSub events use POST (and OPTIONS for validation)", { Allow: "OPTIONS, POST" });

    const read = readCloudEvent((name) => input.header(name));
    if (!read.ok) {
      const hub = input.header(H.hub);
      // Another hub's request stays another handler's business, however malformed.
      if (hub !== undefined && hub.toLowerCase() !== this.hubLower) return this.otherHub(hub);
      if (read.reason === "not-webpubsub") return notMine(400, "WPS_ERR_EVENT_NOT_CLOUDEVENT", `not a Web PubSub event: ${read.message}`);
      if (read.reason === "unknown-type") return notMine(400, "WPS_ERR_EVENT_TYPE", read.message);
      return refuse(400, "WPS_ERR_EVENT_HEADER", read.message);
    }
    const event = read.event;
    if (event.hub.toLowerCase() !== this.hubLower) return this.otherHub(event.hub);
    const kind: EventKind = event.event.kind === "user" ? "user" : KINDS[event.event.name]!;
    const dataType = kind === "user" ? dataTypeOfEventContentType(input.header("content-type")) : undefined;
    if (kind === "user" && dataType === undefined) {
      return notMine(415, "WPS_ERR_EVENT_CONTENT_TYPE", "a user event must be text/plain, application/json or application/octet-stream");
    }

    // From here on the event is ours: problems are answered, not passed on.
    if (!this.originAllowed(event.origin)) return refuse(400, "WPS_ERR_EVENT_ORIGIN", `WebHook-Request-Origin '${event.origin}' is not one of allowedEndpoints`);
    if (event.connectionId === "") return refuse(400, "WPS_ERR_EVENT_HEADER", "ce-connectionId is empty");
    if (this.verify) {
      if (!event.signature) return refuse(401, "WPS_ERR_EVENT_SIGNATURE", "ce-signature is missing");
      if (!(await this.signatureValid(event.signature, event.connectionId))) {
        return refuse(401, "WPS_ERR_EVENT_SIGNATURE", "ce-signature matches none of the access keys");
      }
    }
    const context = contextOf(event);
    if (context === undefined) return refuse(400, "WPS_ERR_EVENT_HEADER", "ce-connectionState is not a state this handler wrote (base64 JSON object)");

    const callback = this.callbackOf(kind);
    if (callback === undefined) {
      // Nothing to call: answer as the official handler does without reading the body.
      return { handled: true, output: kind === "connect" && context.clientProtocol === "mqtt" ? { status: 204, headers: {} } : EMPTY };
    }

    const body = await this.readBody(input);
    if (body.kind === "too-large") return refuse(413, "WPS_ERR_EVENT_TOO_LARGE", `the body is larger than maxBodyBytes (${this.maxBodyBytes})`);
    if (body.kind === "unreadable") return refuse(400, "WPS_ERR_EVENT_BODY", body.message);

    if (kind === "user") {
      const request = readUserEvent(context, dataType!, body);
      if (!request.ok) return refuse(400, "WPS_ERR_EVENT_BODY", request.message);
      const slot = new ReplySlot();
      return this.runBlocking("handleUserEvent", slot, () => this.options.handleUserEvent!(request.value, userEventReply(context, slot)));
    }

    const text = bodyText(body);
    if (!text.ok) return refuse(400, "WPS_ERR_EVENT_BODY", text.message);
    const mqtt = context.clientProtocol === "mqtt";
    if (kind === "connect") {
      const parsed = parseConnectRequestBody(text.value);
      if (!parsed.ok) return refuse(400, "WPS_ERR_EVENT_BODY", parsed.message);
      if (mqtt && parsed.value.mqtt === undefined) return refuse(400, "WPS_ERR_EVENT_BODY", "an MQTT connect needs 'mqtt.protocolVersion'");
      const request = { ...parsed.value, context, queries: parsed.value.query } as ConnectRequest;
      const slot = new ReplySlot();
      return this.runBlocking("handleConnect", slot, () => this.options.handleConnect!(request, connectReply(context, slot, parsed.value.mqtt?.protocolVersion)));
    }
    const fields = kind === "connected" ? readConnectedBody(text.value) : kind === "disconnected" ? parseDisconnectedBody(text.value) : parseGroupEventBody(text.value);
    if (!fields.ok) return refuse(400, "WPS_ERR_EVENT_BODY", fields.message);
    // Non-blocking events: the service only logs the answer, so it does not wait for the callback.
    this.runNonBlocking(kind, callback, { ...fields.value, context });
    return { handled: true, output: EMPTY };
  }

  private async signatureValid(signature: string, connectionId: string): Promise<boolean> {
    const known = this.verified.get(connectionId);
    if (known !== undefined && timingSafeEqualText(known, signature)) return true;
    const keys = this.keys;
    if (!(await verifySignature(signature, connectionId, keys))) return false;
    // Keys may have changed while verifying; then the result is not cached.
    if (keys === this.keys) {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(connectionId, signature);
    }
    return true;
  }

  private otherHub(hub: string): Outcome {
    return notMine(400, "WPS_ERR_EVENT_HUB", `ce-hub ${JSON.stringify(hub)} is not this handler's hub '${this.hub}'`);
  }

  /** Abuse protection (docs/protocol.md#abuse-protection): one allowed origin back, never a list. */
  private validate(input: EventInput): Outcome {
    const origin = input.header(H.origin);
    if (origin === undefined) {
      if (input.header(H.awpsVersion) === undefined) {
        return notMine(400, "WPS_ERR_EVENT_NOT_CLOUDEVENT", "not a Web PubSub validation request: WebHook-Request-Origin is required");
      }
      return refuse(400, "WPS_ERR_EVENT_HEADER", "WebHook-Request-Origin is missing");
    }
    if (this.allowedHosts === undefined) return { handled: true, output: { status: 200, headers: { [AbuseProtectionHeader.allowedOrigin]: "*" } } };
    if (!this.originAllowed(origin)) return refuse(400, "WPS_ERR_EVENT_ORIGIN", `WebHook-Request-Origin '${origin}' is not one of allowedEndpoints`);
    return { handled: true, output: { status: 200, headers: { [AbuseProtectionHeader.allowedOrigin]: origin } } };
  }

  private originAllowed(origin: string): boolean {
    return this.allowedHosts === undefined || this.allowedHosts.has(origin.trim().toLowerCase());
  }

  private callbackOf(kind: EventKind): ((...args: never[]) => HandlerResult) | undefined {
    const o = this.options;
    switch (kind) {
      case "connect":
        return o.handleConnect;
      case "connected":
        return o.onConnected;
      case "disconnected":
        return o.onDisconnected;
      case "joined":
        return o.onGroupJoined;
      case "left":
        return o.onGroupLeft;
      case "user":
        return o.handleUserEvent;
    }
  }

  private async readBody(input: EventInput): Promise<BodyResult & { kind: string }> {
    const declared = input.header(H.contentLength);
    // A declared length past the limit is refused before reading a byte.
    if (declared !== undefined && Number(declared) > this.maxBodyBytes) return { kind: "too-large" };
    try {
      return await input.readBody(this.maxBodyBytes);
    } catch (err) {
      return { kind: "unreadable", message: `the body could not be read (${err instanceof Error ? err.message : String(err)})` };
    }
  }

  /** Calls a blocking callback and waits for its reply; errors and missing replies become 500. */
  private async runBlocking(name: string, slot: ReplySlot, call: () => HandlerResult): Promise<Outcome> {
    try {
      const result = call();
      if (isThenable(result)) {
        result.then(
          () => {
            if (!slot.done) {
              this.log("error", `${name} settled without calling success() or fail(); answered 500`);
              slot.give(errorOutput(500, "WPS_ERR_EVENT_HANDLER", `${name} did not answer`));
            }
          },
          (err: unknown) => this.callbackFailed(name, slot, err),
        );
      }
    } catch (err) {
      this.callbackFailed(name, slot, err);
    }
    return { handled: true, output: await slot.reply };
  }

  private callbackFailed(name: string, slot: ReplySlot, err: unknown): void {
    if (slot.done) {
      this.log("error", `${name} failed after answering`, err);
      return;
    }
    this.log("error", `${name} failed; answered 500`, err);
    slot.give(errorOutput(500, "WPS_ERR_EVENT_HANDLER", `${name} failed`));
  }

  private runNonBlocking(kind: EventKind, callback: (request: never) => HandlerResult, request: object): void {
    const name = kind === "connected" ? "onConnected" : kind === "disconnected" ? "onDisconnected" : kind === "joined" ? "onGroupJoined" : "onGroupLeft";
    try {
      const result = (callback as (request: object) => HandlerResult)(request);
      if (isThenable(result)) result.then(undefined, (err: unknown) => this.log("error", `${name} failed`, err));
    } catch (err) {
      this.log("error", `${name} failed`, err);
    }
  }
}

/** The context callbacks see; undefined when `ce-connectionState` is not ours to read. */
function contextOf(event: ReceivedCloudEvent): ConnectionContext | undefined {
  let states: Record<string, unknown> = {};
  if (event.connectionState !== undefined && event.connectionState !== "") {
    const decoded = decodeConnectionState(event.connectionState);
    if (decoded === undefined) return undefined;
    states = decoded;
  }
  const context: ConnectionContext = {
    signature: event.signature ?? "",
    hub: event.hub,
    connectionId: event.connectionId,
    eventName: event.eventName,
    origin: event.origin,
    states,
    clientProtocol: "default",
  };
  if (event.userId !== undefined) context.userId = event.userId;
  if (event.subprotocol !== undefined) context.subprotocol = event.subprotocol;
  if (isMqttRequest(event.subprotocol, event.physicalConnectionId) && event.physicalConnectionId !== undefined) {
    context.clientProtocol = "mqtt";
    context.mqtt = event.sessionId === undefined ? { physicalConnectionId: event.physicalConnectionId } : { physicalConnectionId: event.physicalConnectionId, sessionId: event.sessionId };
  }
  return context;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function hostOf(endpoint: unknown): string {
  if (typeof endpoint !== "string") throw invalidArgument("allowedEndpoints must hold URL strings");
  try {
    return new URL(endpoint).host.toLowerCase();
  } catch {
    throw invalidArgument(`allowedEndpoints: ${JSON.stringify(endpoint)} is not an absolute URL such as https://name.webpubsub.azure.com`);
  }
}

function collectKeys(options: WebPubSubEventHandlerOptions): string[] {
  const keys: string[] = [];
  if (options.accessKeys !== undefined) {
    if (!Array.isArray(options.accessKeys) || !options.accessKeys.every((k) => typeof k === "string" && k !== "")) {
      throw invalidArgument("accessKeys must be an array of non-empty strings");
    }
    keys.push(...options.accessKeys);
  }
  if (options.connectionString !== undefined) keys.push(parseConnectionString(options.connectionString).accessKey);
  return keys;
}

function defaultLog(level: "warning" | "error", message: string, error?: unknown): void {
  if (level === "warning") console.warn(message);
  else console.error(message, error ?? "");
}
