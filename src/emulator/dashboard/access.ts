// Who may use the dashboard. Bound to loopback it is open, but only under a loopback host
// name: a DNS-rebinding page (evil.example resolving to 127.0.0.1) sends its own Host and is
// refused. Bound elsewhere it needs the access key once, exchanged for a session cookie that
// is an HMAC of a per-start nonce: the key never leaves the login request, and a restart
// ends every session. Actions also refuse a cross-origin `Origin`.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { timingSafeEqualText } from "../../core/index.js";
import { RestError } from "../errors.js";

/** Name of the session cookie. */
export const SESSION_COOKIE = "wps_dashboard";

/** True for addresses and names that only this machine can reach. */
export function isLoopbackName(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const lower = h.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) return true;
  if (isIP(lower) === 4) return lower.startsWith("127.");
  return lower === "::1" || lower === "0:0:0:0:0:0:0:1";
}

/** The host name of a Host header (`[::1]:8080` -> `[::1]`, `localhost:80` -> `localhost`). */
export function hostName(header: string): string {
  if (header.startsWith("[")) {
    const end = header.indexOf("]");
    return end < 0 ? header : header.slice(0, end + 1);
  }
  const colon = header.lastIndexOf(":");
  return colon < 0 ? header : header.slice(0, colon);
}

/** Access rules of one emulator's dashboard. */
export class DashboardAccess {
  /** True when the emulator listens on loopback only: no key is needed. */
  readonly open: boolean;
  private readonly loopback: boolean;
  private readonly session: string;

  constructor(
    bindHost: string,
    private readonly accessKey: string,
    requireKey = false,
  ) {
    this.loopback = isLoopbackName(bindHost);
    this.open = this.loopback && !requireKey;
    this.session = createHmac("sha256", accessKey).update(`webpubsub dashboard session\n${randomBytes(16).toString("hex")}`).digest("base64url");
  }

  /** Throws 403 when a loopback dashboard is reached under a non-loopback Host (DNS rebinding). */
  checkHost(req: IncomingMessage): void {
    if (!this.loopback) return;
    const host = hostName(req.headers.host ?? "");
    if (!isLoopbackName(host)) {
      throw new RestError(403, "Error.Forbidden", "The dashboard answers only under a loopback host name (localhost, 127.0.0.1, [::1]).");
    }
  }

  /** Throws 401 unless the dashboard is open or the request carries a valid session cookie. */
  checkSession(req: IncomingMessage): void {
    if (this.open) return;
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie === undefined || !timingSafeEqualText(cookie, this.session)) {
      throw new RestError(401, "Error.Unauthorized", "Log in with the emulator's access key: POST /_dashboard/api/login.");
    }
  }

  /** Throws 403 when the request comes from a page of another origin. */
  checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    const secFetchSite = req.headers["sec-fetch-site"];
    if (secFetchSite === "cross-site" || (origin !== `http://${req.headers.host ?? ""}` && origin !== `https://${req.headers.host ?? ""}`)) {
      throw new RestError(403, "Error.Forbidden", "Dashboard actions are refused from pages of another origin.");
    }
  }

  /** Checks a login's key in constant time; returns the Set-Cookie value on success. */
  login(accessKey: unknown): string {
    // Digests first: equal lengths, so not even the key's length shows in the timing.
    if (typeof accessKey !== "string" || !timingSafeEqualText(digest(accessKey), digest(this.accessKey))) {
      throw new RestError(401, "Error.Unauthorized", "The access key is not the emulator's.");
    }
    return `${SESSION_COOKIE}=${this.session}; Path=/_dashboard; HttpOnly; SameSite=Strict`;
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
