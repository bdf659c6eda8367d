// Emulator-side input rules: query integers, access keys, path segments. See
// docs/protocol.md#rest-and-tokens.

// The naming rules live in core; the emulator-only helpers stay here.
export { isValidEventName, isValidGroup, isValidHub, normalizeHub } from "../core/index.js";

/** Parses a base-10 integer query value; undefined when it is not one. */
export function parseInteger(text: string): number | undefined {
  if (!/^-?\d{1,15}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** Why a key is unusable (docs/protocol.md#connection-strings), without quoting it; undefined when fine. */
export function accessKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string") return "must be a string";
  if (Buffer.byteLength(key, "utf8") < 32) return "must be at least 32 bytes long";
  if (key.includes(";")) return "must not contain ';' (it would break the connection string)";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "must not contain control characters";
  return undefined;
}

/**
 * Decodes a path parameter as Microsoft's emulator does (docs/protocol.md#operations): `%20` becomes a space, `+` stays `+`,
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
