// Per-hub event handler settings, mirroring the ARM hub model's `eventHandlers`
// (docs/protocol.md#hub-settings): validation of the configuration, URL templates, and which
// handler takes which event.
import { isValidHub, normalizeHub, redactUrl, VALIDATE_EVENT } from "../../core/index.js";

/** Per-hub settings; mirrors the ARM hub model's `eventHandlers`. */
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

/** The system events a handler can subscribe to. */
export type HandledSystemEvent = "connect" | "connected" | "disconnected";

const SYSTEM_EVENTS: ReadonlySet<string> = new Set<HandledSystemEvent>(["connect", "connected", "disconnected"]);
const PLACEHOLDER = /\{(event|hub)\}/gi;

/** Throws a TypeError naming the bad field (`path` prefixes it, e.g. `hubs`). Returns hubs keyed by lower-cased name. */
export function validateHubSettings(value: unknown, path = "hubs"): Map<string, HubSettings> {
  if (!isPlainObject(value)) throw new TypeError(`${path} must be an object mapping hub names to settings`);
  const hubs = new Map<string, HubSettings>();
  for (const [hub, settings] of Object.entries(value)) {
    const hubPath = `${path}.${hub}`;
    // Same rule as the REST hub parameter.
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

/** Fills `{event}` and `{hub}`, URL-escaped. */
export function resolveTemplate(template: string, event: string, hub: string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => encodeURIComponent(name.toLowerCase() === "event" ? event : hub));
}

/** The URL of a handler's abuse-protection probe: the template with `{event}` = `validate`. */
export function validationUrl(handler: EventHandlerSettings, hub: string): string {
  return resolveTemplate(handler.urlTemplate, VALIDATE_EVENT, hub);
}

/** Finds the handler of an event: the first one of the hub whose settings take it. */
export class HandlerTable {
  private readonly hubs: Map<string, HubSettings>;

  constructor(hubs: unknown) {
    this.hubs = validateHubSettings(hubs ?? {});
  }

  /** The handler taking system event `event` in `hub`, if any. */
  systemHandler(hub: string, event: HandledSystemEvent): EventHandlerSettings | undefined {
    return this.handlersOf(hub).find((h) => h.systemEvents?.some((e) => e.toLowerCase() === event) ?? false);
  }

  /** The handler taking user event `event` in `hub`, if any. Event names are case-insensitive. */
  userHandler(hub: string, event: string): EventHandlerSettings | undefined {
    const name = event.toLowerCase();
    return this.handlersOf(hub).find((h) => {
      const pattern = h.userEventPattern?.trim();
      if (!pattern) return false;
      if (pattern === "*") return true;
      return pattern.split(",").some((p) => p.trim().toLowerCase() === name);
    });
  }

  private handlersOf(hub: string): EventHandlerSettings[] {
    return this.hubs.get(normalizeHub(hub))?.eventHandlers ?? [];
  }
}
