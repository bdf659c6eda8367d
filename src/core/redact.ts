// The one redaction of secrets in URLs, headers and free text, used by the service client's
// logs and errors, the emulator's log sink and the upstream dispatcher. Whatever reaches a
// log line or an error message passes through here.

/** What a secret is replaced with. */
export const REDACTED = "REDACTED";

/**
 * Query parameters that carry credentials: client tokens, reconnection tokens, SAS-style
 * signatures, and `code` (the function key Azure Functions handler URLs carry).
 */
const SECRET_QUERY = /([?&;](?:access_token|awps_reconnection_token|token|sig|signature|accesskey|code)=)[^&#;\s"']*/gi;

/** Headers whose values are secrets whatever they look like. */
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "ce-signature",
  "accesskey",
  "x-ms-access-key",
  "cookie",
  "set-cookie",
]);

const SECRET_TEXT: readonly [RegExp, string][] = [
  // user:password@ in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"'?#]+@/gi, `$1${REDACTED}@`],
  [/(AccessKey\s*=\s*)[^;\s"']*/gi, `$1${REDACTED}`],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  // Any JWT-shaped string: header.claims.signature, the header starting with {" (eyJ).
  [/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
];

/** Secrets shorter than this are not searched for literally: they would match ordinary text. */
const MIN_LITERAL_SECRET = 8;

/** Replaces secret query values (`access_token`, reconnection tokens, signatures, `code`) and URL credentials. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, `$1${REDACTED}`).replace(SECRET_TEXT[0]![0], SECRET_TEXT[0]![1]);
}

/**
 * Scrubs free text (log lines, error messages, response bodies): secret query values, URL
 * credentials, `AccessKey=…`, `Bearer …`, JWTs, and each literal secret in `secrets`
 * (e.g. the access key itself, which a server may echo back).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (typeof secret === "string" && secret.length >= MIN_LITERAL_SECRET) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(SECRET_QUERY, `$1${REDACTED}`);
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** Copies headers with `Authorization`, `ce-signature`, `AccessKey`, cookies and JWT-looking values redacted. */
export function redactHeaders(headers: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : redactText(value);
  }
  return out;
}

/** True for header names whose values are always secret. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}
