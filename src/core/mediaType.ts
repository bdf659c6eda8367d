// The one Content-Type parser: REST bodies, upstream requests and replies all read media
// types through it, so "Application/JSON; charset=utf-8" means the same thing everywhere.

/** A parsed Content-Type: lower-cased `type/subtype` and its parameters (names lower-cased). */
export interface MediaType {
  /** `type/subtype`, lower-cased; "" when the header is missing or blank. */
  readonly essence: string;
  /** Parameters such as `charset`, names lower-cased, quotes removed. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** Parses a Content-Type header value leniently; never throws. */
export function parseMediaType(contentType: string | null | undefined): MediaType {
  if (typeof contentType !== "string") return { essence: "", parameters: {} };
  const [head = "", ...rest] = contentType.split(";");
  const parameters: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name !== "" && !(name in parameters)) parameters[name] = value;
  }
  return { essence: head.trim().toLowerCase(), parameters };
}

/** The lower-cased `type/subtype` of a Content-Type without parameters; "" for none. */
export function mediaTypeOf(contentType: string | null | undefined): string {
  return parseMediaType(contentType).essence;
}

/** True for `application/json` and structured `+json` types such as `application/cloudevents+json`. */
export function isJsonMediaType(contentType: string | null | undefined): boolean {
  const essence = mediaTypeOf(contentType);
  return essence === "application/json" || essence.endsWith("+json");
}
