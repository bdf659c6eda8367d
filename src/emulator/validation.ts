// Rules shared by REST, the handshake, the JSON protocol and the options (protocol-emulator.md §1.1, §1.7).

const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
// Event names are matched case-insensitively, like the [emu].
const EVENT_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/i;

/** True for a valid hub name (before normalization). */
export function isValidHub(hub: string): boolean {
  return HUB_PATTERN.test(hub);
}

/** Hubs are case-insensitive: one canonical spelling for maps and upstream. */
export function normalizeHub(hub: string): string {
  return hub.toLowerCase();
}

/** Group names: 1–1024 characters, not only whitespace; case-sensitive. */
export function isValidGroup(group: unknown): group is string {
  return typeof group === "string" && group.length >= 1 && group.length <= 1024 && group.trim() !== "";
}

/** User event names the upstream accepts (`ce-type: azure.webpubsub.user.<event>`). */
export function isValidEventName(event: unknown): event is string {
  return typeof event === "string" && EVENT_PATTERN.test(event);
}

/** Parses a base-10 integer query value; undefined when it is not one. */
export function parseInteger(text: string): number | undefined {
  if (!/^-?\d{1,15}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** Why a key is unusable ([emu] rules, §1.1), without quoting it; undefined when fine. */
export function accessKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string") return "must be a string";
  if (Buffer.byteLength(key, "utf8") < 32) return "must be at least 32 bytes long";
  if (key.includes(";")) return "must not contain ';' (it would break the connection string)";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "must not contain control characters";
  return undefined;
}

/**
 * Decodes a path parameter like the [emu] (§1.7): `%20` becomes a space, `+` stays `+`,
 * and `%2F` stays the literal text `%2F`. Undefined for malformed escapes.
 */
export function decodeSegment(segment: string): string | undefined {
  try {
    return segment
      .split(/%2F/i)
      .map((part) => decodeURIComponent(part))
      .join("%2F");
  } catch {
    return undefined;
  }
}
