// Naming rules and limits of the service, defined once for the service client, the
// emulator, the event handler and the client SDK. See docs/protocol.md#rest-and-tokens.

/** Hub names: a letter, then up to 127 of letters, digits and `` _`,.[] `` (spec `hub` pattern). */
export const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

/** User event names: a letter, then up to 127 of letters, digits, `_`, `.`, `-`; case-insensitive. */
export const EVENT_NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/i;

/** True for a valid hub name (before normalization). */
export function isValidHub(hub: unknown): hub is string {
  return typeof hub === "string" && HUB_PATTERN.test(hub);
}

/** Hubs are case-insensitive: one canonical spelling for maps, paths and comparisons. */
export function normalizeHub(hub: string): string {
  return hub.toLowerCase();
}

/** True for a user event name the upstream accepts (`ce-type: azure.webpubsub.user.<event>`). */
export function isValidEventName(event: unknown): event is string {
  return typeof event === "string" && EVENT_NAME_PATTERN.test(event);
}
