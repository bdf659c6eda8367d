// Creates the generated REST client and a per-client socket pool that close() can release.
import type { ClientOptions } from "@azure-rest/core-client";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createLeanHttpClient } from "./httpClient.js";
import createWebPubSubServiceClient, { apiVersions, defaultApiVersion, type WebPubSubServiceClient as GeneratedClient } from "../../generated/index.js";

/** The REST layer the service client calls: the generated RLC client. */
export type RestClient = GeneratedClient;

/** API versions of the spec, oldest first. */
export const SUPPORTED_API_VERSIONS: readonly string[] = apiVersions;
/** The newest API version, used by default. */
export const DEFAULT_API_VERSION: string = defaultApiVersion;

/** Builds the REST client for `endpoint` at `apiVersion`. */
export function createRestClient(endpoint: string, apiVersion: string, options: ClientOptions): { client: RestClient; dispose: () => void; lean: HttpClient | undefined } {
  // A caller's httpClient wins; else our lean one (per-client sockets that dispose() releases).
  const lean = options.httpClient === undefined ? createLeanHttpClient() : undefined;
  // No credential here: auth policies are added by the service client (key JWT or Entra scope).
  const client = createWebPubSubServiceClient(endpoint, undefined, { ...options, apiVersion, ...(lean && { httpClient: lean }) });
  if (lean) {
    // The lean client decompresses itself, and no call here sends form data: drop the per-request work.
    for (const name of ["decompressResponsePolicy", "formDataPolicy", "multipartPolicy"]) client.pipeline.removePolicy({ name });
  }
  return { client, dispose: () => lean?.dispose(), lean };
}
