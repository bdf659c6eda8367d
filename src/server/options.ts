// Client options and the endpoint checks run in the constructor.
import type { ClientOptions, OperationOptions } from "@azure-rest/core-client";
import { WebPubSubError, invalidArgument } from "../core/index.js";
import { redactText, type LogSink } from "./policies.js";

/** Options of {@link WebPubSubServiceClient}. Pipeline options (`retryOptions`, `additionalPolicies`, `httpClient`, `userAgentOptions`, `loggingOptions`, `proxyOptions`…) are passed through. */
export interface WebPubSubServiceClientOptions extends Omit<ClientOptions, "credentials" | "endpoint" | "apiVersion" | "baseUrl" | "pipeline"> {
  /**
   * REST API version, one of {@link SUPPORTED_API_VERSIONS}; default the newest.
   * @example `{ apiVersion: "2024-01-01" }`
   */
  apiVersion?: string;
  /**
   * Send REST calls through this host (e.g. Azure API Management) instead of the endpoint.
   * REST JWT audiences and client access URLs keep naming the real endpoint.
   * @example `{ reverseProxyEndpoint: "https://contoso.azure-api.net" }`
   */
  reverseProxyEndpoint?: string;
  /**
   * Allow a plain `http://` endpoint or proxy that is not loopback. Loopback (`localhost`,
   * 127.0.0.0/8, `::1`) is always allowed, for the emulator. Default false.
   */
  allowInsecureConnection?: boolean;
  /** Log every request and response (method, redacted URL, status, redacted headers). Default false. */
  loggingEnabled?: boolean;
  /** Where `loggingEnabled` lines go. Default: the `webpubsub-service` Azure logger at `info` (enable with `AZURE_LOG_LEVEL=info`). */
  logger?: LogSink;
  /** Largest message body accepted by sends, in bytes. Default 1 MiB (the service limit). */
  maxMessageBytes?: number;
  /** Lifetime of the per-request REST JWT signed with the access key, in seconds. Default 300. */
  restTokenLifetimeSeconds?: number;
}

/** Options every operation accepts: `abortSignal`, `requestOptions`, `tracingOptions`, `onResponse`, plus per-call logging. */
export interface WebPubSubOperationOptions extends OperationOptions {
  /** Log this call's request and response (redacted), whatever the client option says. */
  loggingEnabled?: boolean;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Parses an endpoint, drops a trailing slash, and refuses `http://` off loopback unless allowed.
 * Returns the normalized string.
 */
export function checkEndpoint(value: unknown, name: string, allowInsecure: boolean): string {
  if (typeof value !== "string" || value === "") throw invalidArgument(`${name} must be a non-empty URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Scrubbed: a connection string passed as the endpoint would otherwise echo its AccessKey.
    throw invalidArgument(`${name} '${redactText(value)}' is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalidArgument(`${name} must use https:// (or http:// for a local emulator)`);
  if (url.search || url.hash || url.username || url.password) throw invalidArgument(`${name} must not contain a query, fragment or credentials`);
  if (url.protocol === "http:" && !allowInsecure && !isLoopback(url.hostname)) {
    throw new WebPubSubError(
      "WPS_ERR_INSECURE_ENDPOINT",
      `${name} ${url.origin} uses plain http:// on a non-loopback host; use https:// or set allowInsecureConnection: true`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
