import { WebPubSubError } from "./errors.js";

/** The parts of a Web PubSub connection string. */
export interface ParsedConnectionString {
  /** Endpoint origin (and base path, if any) without a trailing slash, e.g. `https://x.webpubsub.azure.com`. */
  endpoint: string;
  /** The access key. Used as the UTF-8 HMAC key, not base64-decoded. */
  accessKey: string;
  /** `Version=` if present (the service only knows 1.0). */
  version?: string;
}

function fail(message: string): never {
  throw new WebPubSubError("WPS_ERR_CONNECTION_STRING", `Invalid connection string: ${message}`);
}

/**
 * Parses `Endpoint=…;AccessKey=…;Version=1.0;[Port=…]`. Keys are case-insensitive,
 * empty segments and surrounding whitespace are ignored. Errors name the bad part
 * and never echo the key.
 */
export function parseConnectionString(connectionString: string): ParsedConnectionString {
  if (typeof connectionString !== "string" || connectionString.trim() === "") {
    fail("it is empty; expected 'Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;'");
  }
  const parts = new Map<string, string>();
  for (const raw of connectionString.split(";")) {
    const segment = raw.trim();
    if (segment === "") continue;
    const eq = segment.indexOf("=");
    // Only the key name goes into the message: the segment might be a key.
    if (eq <= 0) fail(`segment ${parts.size + 1} is not of the form Key=Value`);
    const key = segment.slice(0, eq).trim().toLowerCase();
    if (parts.has(key)) fail(`'${segment.slice(0, eq).trim()}' appears more than once`);
    parts.set(key, segment.slice(eq + 1).trim());
  }
  const endpointText = parts.get("endpoint");
  if (!endpointText) fail("missing 'Endpoint='");
  const accessKey = parts.get("accesskey");
  if (!accessKey) fail("missing 'AccessKey='");

  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpointText) ? endpointText : `https://${endpointText}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    fail("'Endpoint' is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail("'Endpoint' must use http or https");
  if (url.search || url.hash) fail("'Endpoint' must not have a query or fragment");
  const port = parts.get("port");
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) fail("'Port' must be 1-65535");
    url.port = port;
  }
  const result: ParsedConnectionString = {
    endpoint: `${url.origin}${url.pathname}`.replace(/\/+$/, ""),
    accessKey,
  };
  const version = parts.get("version");
  if (version !== undefined) result.version = version;
  return result;
}

/** Formats a connection string the service and the official SDKs accept. */
export function formatConnectionString(endpoint: string, accessKey: string): string {
  return `Endpoint=${endpoint.replace(/\/+$/, "")};AccessKey=${accessKey};Version=1.0;`;
}
