// Abuse protection (docs/protocol.md#abuse-protection): before the first event, a handler
// must answer an OPTIONS probe with WebHook-Allowed-Origin naming us. As the Microsoft
// emulator does, success is cached for a while and failures back off exponentially.
import { AbuseProtectionHeader, AWPS_VERSION, CloudEventHeader, isOriginAllowed, redactUrl } from "../../core/index.js";
import { toHeaderValue, type HttpExchange } from "./http.js";

/** Timings of the validation cache; all in milliseconds. */
export interface AbuseProtectionTimings {
  /** Timeout of one probe. */
  timeoutMs: number;
  /** How long a successful validation is trusted. */
  cacheMs: number;
  /** First and longest wait after a failed validation before probing again. */
  backoff: { initial: number; max: number };
  now: () => number;
}

type Validation =
  | { state: "ok"; until: number }
  | { state: "failed"; retryAt: number; backoffMs: number }
  | { state: "pending"; promise: Promise<boolean> };

/** The probe only needs status and headers; a body this size is plenty for any real answer. */
const MAX_PROBE_BODY_BYTES = 64 * 1024;

/** Validates handler URLs once per URL and origin, caching results. */
export class AbuseProtection {
  private readonly validations = new Map<string, Validation>();

  constructor(
    private readonly http: HttpExchange,
    private readonly timings: AbuseProtectionTimings,
    private readonly log: (line: string) => void,
  ) {}

  /** True when the handler at `url` accepts events from `origin`; probes at most once at a time. */
  ensureValidated(url: string, origin: string): Promise<boolean> {
    const key = `${url}\n${origin.toLowerCase()}`;
    const entry = this.validations.get(key);
    const now = this.timings.now();
    if (entry?.state === "ok" && now < entry.until) return Promise.resolve(true);
    if (entry?.state === "failed" && now < entry.retryAt) return Promise.resolve(false);
    if (entry?.state === "pending") return entry.promise;

    const previousBackoff = entry?.state === "failed" ? entry.backoffMs : undefined;
    const promise = this.probe(url, origin).then((ok) => {
      const at = this.timings.now();
      if (ok) {
        this.validations.set(key, { state: "ok", until: at + this.timings.cacheMs });
      } else {
        const { initial, max } = this.timings.backoff;
        const backoffMs = previousBackoff === undefined ? initial : Math.min(previousBackoff * 2, max);
        this.validations.set(key, { state: "failed", retryAt: at + backoffMs, backoffMs });
      }
      return ok;
    });
    this.validations.set(key, { state: "pending", promise });
    return promise;
  }

  private async probe(url: string, origin: string): Promise<boolean> {
    const shown = redactUrl(url);
    let headers: Record<string, string>;
    try {
      // No signature and no cookies on the probe, as the service does.
      headers = { [AbuseProtectionHeader.requestOrigin]: toHeaderValue(AbuseProtectionHeader.requestOrigin, origin), [CloudEventHeader.awpsVersion]: AWPS_VERSION };
    } catch {
      return false;
    }
    let method = "OPTIONS";
    let attempt = await this.http.send(url, { method, headers }, this.timings.timeoutMs, MAX_PROBE_BODY_BYTES);
    // Handlers that route only POST/GET answer OPTIONS with 404; the service then retries with GET.
    if (attempt.kind === "response" && attempt.status === 404) {
      method = "GET";
      attempt = await this.http.send(url, { method, headers }, this.timings.timeoutMs, MAX_PROBE_BODY_BYTES);
    }
    if (attempt.kind === "error") {
      this.log(`upstream validate -> ${method} ${shown}: failed, ${attempt.reason} error (${attempt.message})`);
      return false;
    }
    if (attempt.status < 200 || attempt.status > 299) {
      this.log(`upstream validate -> ${method} ${shown}: failed, status ${attempt.status}`);
      return false;
    }
    const allowed = attempt.headers.get(AbuseProtectionHeader.allowedOrigin);
    // Express sends a list of hosts as repeated headers, which fetch joins with ", ".
    if (!isOriginAllowed(allowed, origin)) {
      const why = allowed === null ? "is missing" : `"${allowed.slice(0, 200)}" does not allow "${origin}"`;
      this.log(`upstream validate -> ${method} ${shown}: failed, ${AbuseProtectionHeader.allowedOrigin} ${why}`);
      return false;
    }
    this.log(`upstream validate -> ${method} ${shown}: ok`);
    return true;
  }
}
