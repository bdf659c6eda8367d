// Works without Buffer so token code also runs on edge runtimes and browsers.
const hasBuffer = typeof (globalThis as { Buffer?: unknown }).Buffer === "function";

/** Encodes bytes as unpadded base64url. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  if (hasBuffer) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url (padding optional). Throws TypeError on bad characters. */
export function base64UrlToBytes(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError("invalid base64url");
  if (hasBuffer) return new Uint8Array(Buffer.from(text, "base64url"));
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const encoder = new TextEncoder();
/** UTF-8 text to base64url. */
export function textToBase64Url(text: string): string {
  return hasBuffer ? Buffer.from(text, "utf8").toString("base64url") : bytesToBase64Url(encoder.encode(text));
}

/** UTF-8 text to standard (padded) base64, the alphabet `Buffer#toString("base64")` uses. */
export function textToBase64(text: string): string {
  if (hasBuffer) return Buffer.from(text, "utf8").toString("base64");
  let bin = "";
  for (const b of encoder.encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Standard or url-safe base64 (padding optional) to UTF-8 text, as leniently as Node's
 * decoder reads both alphabets. Undefined for anything else, and for bytes that are not UTF-8.
 */
export function base64ToText(text: string): string | undefined {
  const compact = text.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, "").length % 4 === 1) return undefined;
  try {
    const bytes = base64UrlToBytes(compact.replace(/\+/g, "-").replace(/\//g, "_"));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
