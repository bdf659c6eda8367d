// The hub-scoped service client: validates arguments, then calls the generated REST layer
// through one helper that traces, checks status and builds errors in one place.
import { AzureKeyCredential, isTokenCredential, type KeyCredential, type TokenCredential } from "@azure/core-auth";
import { operationOptionsToRequestParameters, type RequestParameters } from "@azure-rest/core-client";
import { bearerTokenAuthenticationPolicy, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { createTracingClient, type TracingClient } from "@azure/core-tracing";
import { PAGE_SIZE, WebPubSubError, canSignSync, decodeJwt, generateTokenClientType, invalidArgument, parseConnectionString } from "../core/index.js";
import type { SendToAllParameters } from "../../generated/index.js";
import { createRestClient, DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS, type RestClient } from "./rest.js";
import { clientAccess, checkTokenOptions, mintClientAccessToken, signClientAccessTokenSync, type ClientAccessToken, type GetClientAccessTokenOptions } from "./clientToken.js";
import { encodeMessage, isBlob, DEFAULT_MAX_MESSAGE_BYTES, type EncodedMessage } from "./content.js";
import { closedError, toServiceError, type ResponseLike } from "./errors.js";
import { checkEndpoint, type WebPubSubOperationOptions, type WebPubSubServiceClientOptions } from "./options.js";
import { isOwnCollection, pagedIterator, withPageSize, type GroupMember, type PagedAsyncIterableIterator } from "./paging.js";
import {
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_REST_TOKEN_SECONDS,
  deadlinePolicy,
  defaultLogSink,
  httpTracingPolicy,
  originGuardPolicy,
  responseGuardPolicy,
  retryAfterCapPolicy,
  LOG_MARKER_HEADER,
  keyCredentialPolicy,
  requestLoggingPolicy,
  reverseProxyPolicy,
} from "./policies.js";
import {
  checkFilter,
  checkGroup,
  checkGroups,
  checkHub,
  checkId,
  checkIds,
  checkInt,
  checkPermission,
  checkString,
  checkTtl,
  type Permission,
} from "./validate.js";
import { WebPubSubGroup } from "./groupClient.js";
import { guardApiVersion, versionLacksAnything } from "./apiVersionGuard.js";
import { PACKAGE_VERSION } from "./version.js";
import { createSendLane, laneFits, laneResponse, laneUrl, type LanePost } from "./sendLane.js";
import { azureLogger } from "./logger.js";

/** The Azure logger of this package (`AZURE_LOG_LEVEL=info` shows it). */
export const logger = azureLogger;

const ENTRA_SCOPE = "https://webpubsub.azure.com/.default";

/** Options of the send operations. */
export interface SendOptions extends WebPubSubOperationOptions {
  /** `text/plain`, `application/json` or `application/octet-stream`; inferred from the message when absent (see "Content types" in the README). */
  contentType?: string;
  /** Seconds the service keeps the message for a slow client, 0-300; 0 = never expires. */
  messageTtlSeconds?: number;
}

/** Options of {@link WebPubSubServiceClient.sendToAll} and group sends. */
export interface SendToAllOptions extends SendOptions {
  /** Connection ids that do not receive the message. */
  excludedConnections?: string[];
  /** OData filter selecting recipients; build it with {@link odata}. */
  filter?: string;
}

/** Options of {@link WebPubSubServiceClient.sendToUser}. */
export interface SendToUserOptions extends SendOptions {
  /** OData filter selecting which of the user's connections receive it. */
  filter?: string;
}

/** Options of {@link WebPubSubServiceClient.sendToConnection}. */
export type SendToConnectionOptions = SendOptions;

/** Options of {@link WebPubSubServiceClient.closeConnection}. */
export interface CloseConnectionOptions extends WebPubSubOperationOptions {
  /** Reason sent to the client in the close frame. */
  reason?: string;
}

/** Options of the close-many operations. */
export interface CloseConnectionsOptions extends CloseConnectionOptions {
  /** Connection ids to leave open. */
  excludedConnections?: string[];
}

/** Options of the permission operations. */
export interface PermissionOptions extends WebPubSubOperationOptions {
  /** The group the permission applies to; absent means every group. */
  targetName?: string;
}

/** Options of {@link WebPubSubServiceClient.listConnectionsInGroup}. */
export interface ListConnectionsOptions extends WebPubSubOperationOptions {
  /** Items per page, 1-200 (service default when absent). */
  maxPageSize?: number;
  /** Most items to return in total, at least 1. */
  top?: number;
  /**
   * Start from an earlier page: a page's `continuationToken` (a link from this service), or
   * the service's raw token as `@azure/web-pubsub` callers pass it. `undefined` starts at the beginning.
   */
  continuationToken?: string | undefined;
}

/** Options of {@link WebPubSubServiceClient.fromEnvironment}. */
export interface FromEnvironmentOptions extends WebPubSubServiceClientOptions {
  /** Credential used with `AZURE_WEBPUBSUB_ENDPOINT` when no connection string is set. */
  credential?: TokenCredential | KeyCredential;
  /** Hub name; overrides `AZURE_WEBPUBSUB_HUB`. */
  hub?: string;
  /** Variables to read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

type OkStatus = "200" | "202" | "204";
const NO_OPTIONS = Object.freeze({});
type RestCall = (params: RequestParameters) => PromiseLike<ResponseLike>;
type Query = Record<string, unknown> | undefined;
type SendParameters = RequestParameters & { contentType: EncodedMessage["contentType"]; body: SendBody };
type SendBody = SendToAllParameters["body"];

/**
 * Names the argument a caller most likely forgot, before the constructor misreads the rest:
 * a connection string without a hub, or an endpoint URL without a credential. Never echoes
 * the first argument, which may hold the access key.
 */
function checkForgottenArgument(first: string, second: unknown): void {
  const isUrl = typeof first === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(first.trim());
  if (second === undefined) {
    throw invalidArgument(
      isUrl
        ? "the credential and hubName are missing: new WebPubSubServiceClient(endpoint, credential, hubName)"
        : "hubName is missing: new WebPubSubServiceClient(connectionString, hubName)",
    );
  }
  if (typeof second === "string" && isUrl) {
    throw invalidArgument(
      "the credential is missing: the first argument is an endpoint URL, not a connection string; use new WebPubSubServiceClient(endpoint, new AzureKeyCredential(key), hubName) or pass a connection string",
    );
  }
}

/**
 * Client for one hub of an Azure Web PubSub resource.
 *
 * @example
 * ```ts
 * const client = new WebPubSubServiceClient(process.env.AZURE_WEBPUBSUB_CONNECTION_STRING!, "chat");
 * await client.sendToAll("hello");                       // text/plain
 * const { url } = await client.getClientAccessToken({ userId: "alice" });
 * ```
 */
export class WebPubSubServiceClient {
  /** The hub this client talks to. */
  readonly hubName: string;
  get #hubPath(): string {
    return encodeURIComponent(this.hubName);
  }
  /** The service endpoint, without a trailing slash (not the reverse proxy). */
  readonly endpoint: string;
  /** The REST API version sent as `api-version`. */
  readonly apiVersion: string;

  readonly #rest: RestClient;
  readonly #credential: KeyCredential | TokenCredential;
  readonly #tracing: TracingClient;
  readonly #maxBytes: number;
  readonly #insecure: boolean;
  #closed = false;
  #loggingEnabled = false;
  #lane: LanePost | undefined;
  #disposeHttp: (() => void) | undefined;

  /** Connects with a connection string: `Endpoint=https://…;AccessKey=…;Version=1.0;`. */
  constructor(connectionString: string, hubName: string, options?: WebPubSubServiceClientOptions);
  /** Connects to `endpoint` with an `AzureKeyCredential` (the access key) or a `TokenCredential` (Microsoft Entra ID). */
  constructor(endpoint: string, credential: KeyCredential | TokenCredential, hubName: string, options?: WebPubSubServiceClientOptions);
  constructor(
    endpointOrConnectionString: string,
    credentialOrHub: KeyCredential | TokenCredential | string,
    hubOrOptions?: string | WebPubSubServiceClientOptions,
    maybeOptions?: WebPubSubServiceClientOptions,
  ) {
    let endpoint: string;
    let options: WebPubSubServiceClientOptions;
    let hub: unknown;
    checkForgottenArgument(endpointOrConnectionString, credentialOrHub);
    if (typeof credentialOrHub === "string") {
      const parsed = parseConnectionString(endpointOrConnectionString);
      endpoint = parsed.endpoint;
      this.#credential = new AzureKeyCredential(parsed.accessKey);
      hub = credentialOrHub;
      options = (hubOrOptions as WebPubSubServiceClientOptions | undefined) ?? {};
    } else {
      endpoint = endpointOrConnectionString;
      if (!isTokenCredential(credentialOrHub) && typeof (credentialOrHub as KeyCredential | undefined)?.key !== "string") {
        throw invalidArgument("credential must be an AzureKeyCredential or a TokenCredential");
      }
      this.#credential = credentialOrHub;
      hub = hubOrOptions;
      options = maybeOptions ?? {};
    }
    this.hubName = checkHub(hub, "hubName");
    const allowInsecure = options.allowInsecureConnection ?? false;
    this.endpoint = checkEndpoint(endpoint, "endpoint", allowInsecure);
    const proxy = options.reverseProxyEndpoint === undefined ? undefined : checkEndpoint(options.reverseProxyEndpoint, "reverseProxyEndpoint", allowInsecure);
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    if (!SUPPORTED_API_VERSIONS.includes(this.apiVersion)) {
      throw invalidArgument(`apiVersion '${this.apiVersion}' is not supported; use one of ${SUPPORTED_API_VERSIONS.join(", ")}`);
    }
    this.#maxBytes = options.maxMessageBytes === undefined ? DEFAULT_MAX_MESSAGE_BYTES : checkInt(options.maxMessageBytes, "maxMessageBytes", 1, Number.MAX_SAFE_INTEGER);
    const lifetime = options.restTokenLifetimeSeconds === undefined ? DEFAULT_REST_TOKEN_SECONDS : checkInt(options.restTokenLifetimeSeconds, "restTokenLifetimeSeconds", 1);
    this.#insecure = this.endpoint.startsWith("http:") || (proxy?.startsWith("http:") ?? false);
    // core's bearer policy refuses non-TLS URLs at request time; say so up front instead.
    if (this.#insecure && isTokenCredential(this.#credential)) {
      throw new WebPubSubError("WPS_ERR_INSECURE_ENDPOINT", "a TokenCredential (Microsoft Entra ID) needs an https:// endpoint and proxy; use the access key with a local http:// emulator");
    }

    const { apiVersion: _v, reverseProxyEndpoint: _p, loggingEnabled, logger: sink, maxMessageBytes: _m, restTokenLifetimeSeconds: _l, ...pipelineOptions } = options;
    const userAgentPrefix = `${options.userAgentOptions?.userAgentPrefix ? `${options.userAgentOptions.userAgentPrefix} ` : ""}webpubsub-service/${PACKAGE_VERSION}`;
    const created = createRestClient(this.endpoint, this.apiVersion, {
      ...pipelineOptions,
      allowInsecureConnection: this.#insecure,
      // The caller's prefix first (Azure convention), then this package.
      userAgentOptions: {
        ...options.userAgentOptions,
        userAgentPrefix,
      },
    });
    // Calls and options this apiVersion lacks fail here, before any request.
    this.#rest = guardApiVersion(created.client, this.apiVersion);
    this.#tracing = createTracingClient({ namespace: "Microsoft.WebPubSub", packageName: "webpubsub-service", packageVersion: PACKAGE_VERSION });
    this.#disposeHttp = created.dispose;
    const pipeline = this.#rest.pipeline;
    let sign: PipelinePolicy | undefined;
    // Before signing: nothing leaves this endpoint, whatever a nextLink, redirect or custom policy says.
    pipeline.addPolicy(originGuardPolicy(this.endpoint), { phase: "Sign" });
    if (isTokenCredential(this.#credential)) {
      pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: this.#credential, scopes: ENTRA_SCOPE }));
    } else {
      sign = keyCredentialPolicy(this.#credential, lifetime);
      pipeline.addPolicy(sign, { phase: "Sign" });
    }
    // After signing: the JWT audience names the service, the socket goes to the proxy.
    if (proxy !== undefined) pipeline.addPolicy(reverseProxyPolicy(this.endpoint, proxy), { afterPhase: "Sign" });
    // Same spans as core's tracingPolicy, without its per-request cost when nothing records.
    pipeline.removePolicy({ name: "tracingPolicy" });
    pipeline.addPolicy(httpTracingPolicy(this.#tracing), { afterPhase: "Retry" });
    // Outside the retry loop, outermost first: one log line per call, the total deadline, then
    // the response guard (so logs and errors only ever see scrubbed bodies).
    pipeline.removePolicy({ name: "logPolicy" });
    pipeline.addPolicy(requestLoggingPolicy(sink ?? defaultLogSink, () => loggingEnabled === true || logger.info.enabled));
    pipeline.addPolicy(deadlinePolicy());
    const credential = this.#credential;
    pipeline.addPolicy(responseGuardPolicy(() => (isTokenCredential(credential) ? undefined : credential.key)));
    pipeline.addPolicy(retryAfterCapPolicy(options.retryOptions?.maxRetryDelayInMs ?? DEFAULT_MAX_RETRY_DELAY_MS), { afterPhase: "Retry" });
    this.#loggingEnabled = loggingEnabled === true;
    // The send lane (issue 14) where this client needs nothing the pipeline alone provides.
    // It skips the generated layer, so a version the guard wraps (one lacking something) never takes it.
    if (sign !== undefined && created.lean !== undefined && proxy === undefined && laneFits(pipelineOptions) && !versionLacksAnything(this.apiVersion)) {
      const lane = createSendLane({
        endpoint: this.endpoint,
        transport: created.lean,
        sign,
        secret: () => (credential as KeyCredential).key,
        retryOptions: options.retryOptions,
        maxRetryDelayMs: options.retryOptions?.maxRetryDelayInMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
        userAgentPrefix,
      });
      if (typeof lane === "function") this.#lane = lane;
      else lane.then((ready) => (this.#lane = ready), () => {}); // no lane: the pipeline serves every call
    }
  }

  /** Same as `new WebPubSubServiceClient(connectionString, hubName, options)`. */
  static fromConnectionString(connectionString: string, hubName: string, options?: WebPubSubServiceClientOptions): WebPubSubServiceClient {
    return new WebPubSubServiceClient(connectionString, hubName, options);
  }

  /**
   * Builds a client from `AZURE_WEBPUBSUB_CONNECTION_STRING` and `AZURE_WEBPUBSUB_HUB`, or from
   * `AZURE_WEBPUBSUB_ENDPOINT` and the `credential` option. A missing variable throws
   * `WPS_ERR_CONFIGURATION` naming it.
   *
   * @example
   * ```ts
   * const client = WebPubSubServiceClient.fromEnvironment();
   * const viaEntra = WebPubSubServiceClient.fromEnvironment({ credential: new DefaultAzureCredential() });
   * ```
   */
  static fromEnvironment(options: FromEnvironmentOptions = {}): WebPubSubServiceClient {
    const { credential, hub: hubOption, env: envOption, ...clientOptions } = options;
    const env = envOption ?? (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
    // Every missing variable is named at once, so a deployment is fixed in one round.
    const missing: [name: string, hint: string][] = [];
    const hub = hubOption ?? env["AZURE_WEBPUBSUB_HUB"];
    if (!hub) missing.push(["AZURE_WEBPUBSUB_HUB", "or pass the hub option"]);
    const connectionString = env["AZURE_WEBPUBSUB_CONNECTION_STRING"];
    const endpoint = env["AZURE_WEBPUBSUB_ENDPOINT"];
    if (credential === undefined && !connectionString) {
      missing.push(["AZURE_WEBPUBSUB_CONNECTION_STRING", "or set AZURE_WEBPUBSUB_ENDPOINT and pass a credential"]);
    }
    if (credential !== undefined && !endpoint) missing.push(["AZURE_WEBPUBSUB_ENDPOINT", "needed with the credential option"]);
    if (missing.length > 0) {
      const names = missing.map(([name]) => name);
      const what = names.length === 1 ? `environment variable ${names[0]} is` : `environment variables ${names.slice(0, -1).join(", ")} and ${names.at(-1)} are`;
      throw new WebPubSubError("WPS_ERR_CONFIGURATION", `${what} not set (${missing.map(([name, hint]) => `${name}: ${hint}`).join("; ")})`);
    }
    return credential === undefined
      ? new WebPubSubServiceClient(connectionString!, hub!, clientOptions)
      : new WebPubSubServiceClient(endpoint!, credential, hub!, clientOptions);
  }

  // ---- plumbing -----------------------------------------------------------

  #params(options: WebPubSubOperationOptions, query: Query): RequestParameters {
    const { loggingEnabled, ...rest } = options;
    const params: RequestParameters = operationOptionsToRequestParameters(rest);
    if (loggingEnabled) params.headers = { ...params.headers, [LOG_MARKER_HEADER]: "1" };
    if (this.#insecure) params.allowInsecureConnection = true;
    if (query !== undefined) params.queryParameters = query;
    return params;
  }

  /**
   * Runs one operation: closed check, span, request; `read` maps the response (or throws) inside the span.
   * `query` is built and checked by the caller before this, so bad arguments fail before the closed check.
   */
  async #call<T>(name: string, options: WebPubSubOperationOptions, request: RestCall, read: (response: ResponseLike) => T, query?: Query): Promise<T> {
    if (this.#closed) throw closedError(name);
    return this.#tracing.withSpan(`WebPubSubServiceClient.${name}`, options, async (updated) => read(await request(this.#params(updated, query))));
  }

  /** An operation whose answer is only its status: anything but `ok` is a ServiceError. */
  #send(name: string, options: WebPubSubOperationOptions, ok: OkStatus, request: RestCall, query?: Query): Promise<void> {
    return this.#call(name, options, request, (response) => void expectStatus(name, response, ok), query);
  }

  /** HEAD → boolean: 200 true, 404 false, anything else a ServiceError. The one place this mapping lives. */
  #exists(name: string, options: WebPubSubOperationOptions, request: RestCall, query?: Query): Promise<boolean> {
    return this.#call(
      name,
      options,
      request,
      (response) => {
        if (response.status === "200") return true;
        if (response.status === "404") return false;
        throw toServiceError(name, response);
      },
      query,
    );
  }

  /**
   * The four sends: encode and size-check the message, then POST it; the service answers 202.
   * `path` is the encoded request path, for the send lane; `post` is the generated call.
   */
  async #sendMessage(name: string, message: unknown, options: SendOptions, query: Query, path: string, post: (params: SendParameters) => PromiseLike<ResponseLike>): Promise<void> {
    const { contentType, body: encoded } = encodeMessage(message, options.contentType, this.#maxBytes);
    const body = isBlob(encoded) ? await materialize(encoded) : (encoded as SendBody);
    const lane = this.#lane;
    // The lane when nothing optional is asked for; tracing costs one no-op span when nobody records.
    if (lane !== undefined && (typeof body === "string" || body instanceof Uint8Array) && !this.#closed && this.#laneFitsCall(options)) {
      // Only the tracing options matter to the span: no copy of the whole options bag per call.
      const { span, updatedOptions } = this.#tracing.startSpan(`WebPubSubServiceClient.${name}`, options.tracingOptions ? { tracingOptions: options.tracingOptions } : NO_OPTIONS);
      if (!span.isRecording()) {
        span.end();
        const url = laneUrl(this.endpoint, path, query, this.apiVersion);
        const response = await lane(url, contentType, body, options.abortSignal, options.requestOptions?.timeout ?? 0);
        if (response.status !== 202) throw toServiceError(name, laneResponse(response));
        return;
      }
      // Someone records: this span is the operation's, and the pipeline adds the HTTP spans under it.
      try {
        const context = updatedOptions.tracingOptions?.tracingContext;
        const traced = { ...options, tracingOptions: updatedOptions.tracingOptions };
        const call = async () => void expectStatus(name, await post({ ...this.#params(traced, query), contentType, body }), "202");
        await (context === undefined ? call() : this.#tracing.withContext(context, call));
        span.setStatus({ status: "success" });
      } catch (error) {
        span.setStatus({ status: "error", ...(error instanceof Error && { error }) });
        throw error;
      } finally {
        span.end();
      }
      return;
    }
    await this.#send(name, options, "202", (p) => post({ ...p, contentType, body }), query);
  }

  /**
   * Where a listing resumes: our pages' tokens are the service's nextLink, which must point at
   * this endpoint (the request is signed for it); anything else is the service's own token.
   */
  #resumePoint(token: string | undefined): { link?: string; token?: string } {
    if (token === undefined) return {};
    if (typeof token !== "string" || token === "") throw invalidArgument("continuationToken must be a non-empty string");
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(token)) return { token };
    if (new URL(token).origin !== new URL(this.endpoint).origin) {
      throw invalidArgument("continuationToken links to another host than this client's endpoint");
    }
    return { link: token };
  }

  /** Per call: the lane serves calls that ask for nothing beyond abort and a deadline. */
  #laneFitsCall(options: SendOptions): boolean {
    if (options.loggingEnabled || this.#loggingEnabled || logger.info.enabled || options.onResponse !== undefined) return false;
    const requestOptions = options.requestOptions;
    if (requestOptions === undefined) return true;
    for (const key in requestOptions) if (key !== "timeout" && (requestOptions as Record<string, unknown>)[key] !== undefined) return false;
    return true;
  }

  #query(entries: Record<string, unknown>): Query {
    let out: Record<string, unknown> | undefined;
    for (const key in entries) {
      const value = entries[key];
      if (value === undefined) continue;
      (out ??= {})[key] = Array.isArray(value) ? { value, explode: true } : value;
    }
    return out;
  }

  #sendQuery(options: SendToAllOptions, excluded: boolean, filter: boolean): Query {
    return this.#query({
      excluded: excluded && options.excludedConnections?.length ? checkIds(options.excludedConnections, "excludedConnections") : undefined,
      filter: filter && options.filter !== undefined ? checkFilter(options.filter) : undefined,
      messageTtlSeconds: options.messageTtlSeconds === undefined ? undefined : checkTtl(options.messageTtlSeconds),
    });
  }

  #closeQuery(options: CloseConnectionsOptions): Query {
    return this.#query({
      excluded: options.excludedConnections?.length ? checkIds(options.excludedConnections, "excludedConnections") : undefined,
      reason: options.reason === undefined ? undefined : checkString(options.reason, "reason"),
    });
  }

  // ---- sends --------------------------------------------------------------

  /**
   * Sends a message to every connection in the hub. The service answers 202 (fire and forget).
   * A string goes as `text/plain`, binary as `application/octet-stream`, other values as JSON
   * (unlike `@azure/web-pubsub`, which sends a bare string as a JSON string).
   *
   * @example
   * ```ts
   * await client.sendToAll("hi");                                   // text/plain
   * await client.sendToAll({ kind: "ping" });                       // application/json
   * await client.sendToAll(new Uint8Array([1, 2]), { excludedConnections: [id], messageTtlSeconds: 30 });
   * await client.sendToAll("vip only", { filter: odata`${"vip"} in groups` });
   * ```
   */
  async sendToAll(message: unknown, options: SendToAllOptions = {}): Promise<void> {
    await this.#sendMessage("sendToAll", message, options, this.#sendQuery(options, true, true), `/api/hubs/${this.#hubPath}/:send`, (p) =>
      this.#rest.path("/api/hubs/{hub}/:send", this.hubName).post(p),
    );
  }

  /**
   * Sends a message to every connection of a user.
   * @example `await client.sendToUser("alice", { text: "hi" }, { filter: odata\`connectionId ne ${id}\` });`
   */
  async sendToUser(userId: string, message: unknown, options: SendToUserOptions = {}): Promise<void> {
    checkId(userId, "userId");
    await this.#sendMessage("sendToUser", message, options, this.#sendQuery(options, false, true), `/api/hubs/${this.#hubPath}/users/${encodeURIComponent(userId)}/:send`, (p) =>
      this.#rest.path("/api/hubs/{hub}/users/{userId}/:send", this.hubName, userId).post(p),
    );
  }

  /**
   * Sends a message to every connection in a group.
   * @example `await client.sendToGroup("room 1", "hello room", { excludedConnections: [senderId] });`
   */
  async sendToGroup(group: string, message: unknown, options: SendToAllOptions = {}): Promise<void> {
    checkGroup(group);
    await this.#sendMessage("sendToGroup", message, options, this.#sendQuery(options, true, true), `/api/hubs/${this.#hubPath}/groups/${encodeURIComponent(group)}/:send`, (p) =>
      this.#rest.path("/api/hubs/{hub}/groups/{group}/:send", this.hubName, group).post(p),
    );
  }

  /**
   * Sends a message to one connection.
   * @example `await client.sendToConnection(connectionId, Buffer.from("raw"), { messageTtlSeconds: 10 });`
   */
  async sendToConnection(connectionId: string, message: unknown, options: SendToConnectionOptions = {}): Promise<void> {
    checkId(connectionId, "connectionId");
    await this.#sendMessage("sendToConnection", message, options, this.#sendQuery(options, false, false), `/api/hubs/${this.#hubPath}/connections/${encodeURIComponent(connectionId)}/:send`, (p) =>
      this.#rest.path("/api/hubs/{hub}/connections/{connectionId}/:send", this.hubName, connectionId).post(p),
    );
  }

  // ---- groups -------------------------------------------------------------

  /**
   * Adds a connection to a group. The service answers 404 when the connection does not exist.
   * @example `await client.addConnectionToGroup("room", connectionId);`
   */
  async addConnectionToGroup(group: string, connectionId: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkGroup(group);
    checkId(connectionId, "connectionId");
    await this.#send("addConnectionToGroup", options, "200", (p) =>
      this.#rest.path("/api/hubs/{hub}/groups/{group}/connections/{connectionId}", this.hubName, group, connectionId).put(p),
    );
  }

  /** Removes a connection from a group. @example `await client.removeConnectionFromGroup("room", connectionId);` */
  async removeConnectionFromGroup(group: string, connectionId: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkGroup(group);
    checkId(connectionId, "connectionId");
    await this.#send("removeConnectionFromGroup", options, "204", (p) =>
      this.#rest.path("/api/hubs/{hub}/groups/{group}/connections/{connectionId}", this.hubName, group, connectionId).delete(p),
    );
  }

  /** Removes a connection from every group. @example `await client.removeConnectionFromAllGroups(connectionId);` */
  async removeConnectionFromAllGroups(connectionId: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkId(connectionId, "connectionId");
    await this.#send("removeConnectionFromAllGroups", options, "204", (p) =>
      this.#rest.path("/api/hubs/{hub}/connections/{connectionId}/groups", this.hubName, connectionId).delete(p),
    );
  }

  /** Adds a user (all of their connections, present and future) to a group. @example `await client.addUserToGroup("room", "alice");` */
  async addUserToGroup(group: string, userId: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkGroup(group);
    checkId(userId, "userId");
    await this.#send("addUserToGroup", options, "200", (p) =>
      this.#rest.path("/api/hubs/{hub}/users/{userId}/groups/{group}", this.hubName, userId, group).put(p),
    );
  }

  /** Removes a user from a group. @example `await client.removeUserFromGroup("room", "alice");` */
  async removeUserFromGroup(group: string, userId: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkGroup(group);
    checkId(userId, "userId");
    await this.#send("removeUserFromGroup", options, "204", (p) =>
      this.#rest.path("/api/hubs/{hub}/users/{userId}/groups/{group}", this.hubName, userId, group).delete(p),
    );
  }

  /** Removes a user from every group. @example `await client.removeUserFromAllGroups("alice");` */
  async removeUserFromAllGroups(userId: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkId(userId, "userId");
    await this.#send("removeUserFromAllGroups", options, "204", (p) =>
      this.#rest.path("/api/hubs/{hub}/users/{userId}/groups", this.hubName, userId).delete(p),
    );
  }

  /**
   * Adds every connection matching `filter` to each of `groups`.
   * @example `await client.addConnectionsToGroups(["a", "b"], odata\`userId eq ${"alice"}\`);`
   */
  async addConnectionsToGroups(groups: string[], filter: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkGroups(groups);
    checkFilter(filter);
    await this.#send("addConnectionsToGroups", options, "200", (p) =>
      this.#rest.path("/api/hubs/{hub}/:addToGroups", this.hubName).post({ ...p, contentType: "application/json", body: { groups, filter } }),
    );
  }

  /**
   * Removes every connection matching `filter` from each of `groups`.
   * @example `await client.removeConnectionsFromGroups(["a"], odata\`${"a"} in groups\`);`
   */
  async removeConnectionsFromGroups(groups: string[], filter: string, options: WebPubSubOperationOptions = {}): Promise<void> {
    checkGroups(groups);
    checkFilter(filter);
    await this.#send("removeConnectionsFromGroups", options, "200", (p) =>
      this.#rest.path("/api/hubs/{hub}/:removeFromGroups", this.hubName).post({ ...p, contentType: "application/json", body: { groups, filter } }),
    );
  }

  /**
   * Lists the connections in a group. Iterate items directly, or pages with
   * `byPage({ maxPageSize, continuationToken })`; each page carries `continuationToken` for resuming.
   *
   * @example
   * ```ts
   * for await (const { connectionId, userId } of client.listConnectionsInGroup("room")) console.log(connectionId, userId);
   * for await (const page of client.listConnectionsInGroup("room").byPage({ maxPageSize: 50 })) save(page.continuationToken);
   * ```
   */
  listConnectionsInGroup(group: string, options: ListConnectionsOptions = {}): PagedAsyncIterableIterator<GroupMember> {
    checkGroup(group);
    const pageSize = (n: number) => checkInt(n, "maxPageSize", PAGE_SIZE.min, PAGE_SIZE.max);
    if (options.maxPageSize !== undefined) pageSize(options.maxPageSize);
    if (options.top !== undefined) checkInt(options.top, "top", 1);
    const { maxPageSize, top, continuationToken, ...operationOptions } = options;
    const resume = this.#resumePoint(continuationToken);
    return pagedIterator<GroupMember>(
      async (pageLink, size) => {
        const link = pageLink ?? resume.link;
        const body = await this.#call(
          "listConnectionsInGroup",
          operationOptions,
          (p) =>
            link === undefined
              ? this.#rest.path("/api/hubs/{hub}/groups/{group}/connections", this.hubName, group).get(p)
              : this.#rest.pathUnchecked(withPageSize(link, size)).get(p),
          (response) => (expectStatus("listConnectionsInGroup", response, "200").body ?? {}) as { value?: GroupMember[]; nextLink?: string },
          // A nextLink already carries the query (withPageSize sets its page size).
          link === undefined ? this.#query({ maxpagesize: size, top, continuationToken: resume.token }) : undefined,
        );
        return { value: (body.value ?? []).map(toMember), nextLink: body.nextLink };
      },
      { maxPageSize, top },
      pageSize,
      (link, fromCaller) => {
        if (isOwnCollection(link, this.endpoint, ["api", "hubs", this.hubName, "groups", group, "connections"])) return;
        if (fromCaller) throw invalidArgument(`continuationToken does not belong to group '${group}' of hub '${this.hubName}' on ${this.endpoint}`);
        throw new WebPubSubError("WPS_ERR_FOREIGN_URL", `listConnectionsInGroup: the service's nextLink leaves group '${group}' of hub '${this.hubName}' on ${this.endpoint}; not followed`);
      },
    );
  }

  // ---- existence and status -------------------------------------------------

  /** True when the connection is open. @example `if (await client.connectionExists(id)) …` */
  async connectionExists(connectionId: string, options: WebPubSubOperationOptions = {}): Promise<boolean> {
    checkId(connectionId, "connectionId");
    return this.#exists("connectionExists", options, (p) => this.#rest.path("/api/hubs/{hub}/connections/{connectionId}", this.hubName, connectionId).head(p));
  }

  /** True when the user has at least one connection. @example `await client.userExists("alice")` */
  async userExists(userId: string, options: WebPubSubOperationOptions = {}): Promise<boolean> {
    checkId(userId, "userId");
    return this.#exists("userExists", options, (p) => this.#rest.path("/api/hubs/{hub}/users/{userId}", this.hubName, userId).head(p));
  }

  /** True when the group has at least one connection. @example `await client.groupExists("room")` */
  async groupExists(group: string, options: WebPubSubOperationOptions = {}): Promise<boolean> {
    checkGroup(group);
    return this.#exists("groupExists", options, (p) => this.#rest.path("/api/hubs/{hub}/groups/{group}", this.hubName, group).head(p));
  }

  /**
   * Probes `HEAD /api/health`: resolves `true` on 200 and `false` on a 5xx (after retries);
   * other statuses (e.g. 401) throw a ServiceError, network failures reject.
   * @example `const healthy = await client.getServiceStatus();`
   */
  async getServiceStatus(options: WebPubSubOperationOptions = {}): Promise<boolean> {
    return this.#call("getServiceStatus", options, (p) => this.#rest.path("/api/health").head(p), (response) => {
      if (response.status === "200") return true;
      if (Number(response.status) >= 500) return false;
      throw toServiceError("getServiceStatus", response);
    });
  }

  // ---- closing connections ------------------------------------------------

  /** Closes one connection. @example `await client.closeConnection(id, { reason: "kicked" });` */
  async closeConnection(connectionId: string, options: CloseConnectionOptions = {}): Promise<void> {
    checkId(connectionId, "connectionId");
    const query = this.#query({ reason: options.reason === undefined ? undefined : checkString(options.reason, "reason") });
    await this.#send(
      "closeConnection",
      options,
      "204",
      (p) => this.#rest.path("/api/hubs/{hub}/connections/{connectionId}", this.hubName, connectionId).delete(p),
      query,
    );
  }

  /** Closes every connection in the hub. @example `await client.closeAllConnections({ reason: "maintenance", excludedConnections: [adminId] });` */
  async closeAllConnections(options: CloseConnectionsOptions = {}): Promise<void> {
    const query = this.#closeQuery(options);
    await this.#send("closeAllConnections", options, "204", (p) => this.#rest.path("/api/hubs/{hub}/:closeConnections", this.hubName).post(p), query);
  }

  /** Closes every connection of a user. @example `await client.closeUserConnections("alice", { reason: "signed out" });` */
  async closeUserConnections(userId: string, options: CloseConnectionsOptions = {}): Promise<void> {
    checkId(userId, "userId");
    const query = this.#closeQuery(options);
    await this.#send(
      "closeUserConnections",
      options,
      "204",
      (p) => this.#rest.path("/api/hubs/{hub}/users/{userId}/:closeConnections", this.hubName, userId).post(p),
      query,
    );
  }

  /** Closes every connection in a group. @example `await client.closeGroupConnections("room", { excludedConnections: [hostId] });` */
  async closeGroupConnections(group: string, options: CloseConnectionsOptions = {}): Promise<void> {
    checkGroup(group);
    const query = this.#closeQuery(options);
    await this.#send(
      "closeGroupConnections",
      options,
      "204",
      (p) => this.#rest.path("/api/hubs/{hub}/groups/{group}/:closeConnections", this.hubName, group).post(p),
      query,
    );
  }

  // ---- permissions --------------------------------------------------------

  /** Checks the arguments shared by the permission operations; returns their one resource and query. */
  #permission(permission: Permission, connectionId: string, options: PermissionOptions) {
    checkPermission(permission);
    checkId(connectionId, "connectionId");
    return {
      resource: this.#rest.path("/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", this.hubName, permission, connectionId),
      query: this.#query({ targetName: options.targetName === undefined ? undefined : checkGroup(options.targetName, "targetName") }),
    };
  }

  /**
   * Grants a permission, for one group (`targetName`) or all groups.
   * @example `await client.grantPermission(id, "sendToGroup", { targetName: "room" });`
   */
  async grantPermission(connectionId: string, permission: Permission, options: PermissionOptions = {}): Promise<void> {
    const { resource, query } = this.#permission(permission, connectionId, options);
    await this.#send("grantPermission", options, "200", (p) => resource.put(p), query);
  }

  /** Revokes a permission. @example `await client.revokePermission(id, "joinLeaveGroup", { targetName: "room" });` */
  async revokePermission(connectionId: string, permission: Permission, options: PermissionOptions = {}): Promise<void> {
    const { resource, query } = this.#permission(permission, connectionId, options);
    await this.#send("revokePermission", options, "204", (p) => resource.delete(p), query);
  }

  /** True when the connection holds the permission. @example `await client.checkPermission(id, "sendToGroup", { targetName: "room" })` */
  async checkPermission(connectionId: string, permission: Permission, options: PermissionOptions = {}): Promise<boolean> {
    const { resource, query } = this.#permission(permission, connectionId, options);
    return this.#exists("checkPermission", options, (p) => resource.head(p), query);
  }

  /** Alias of {@link WebPubSubServiceClient.checkPermission}, the `@azure/web-pubsub` name. */
  async hasPermission(connectionId: string, permission: Permission, options: PermissionOptions = {}): Promise<boolean> {
    return this.checkPermission(connectionId, permission, options);
  }

  // ---- tokens -------------------------------------------------------------

  /**
   * Mints a client access token and URL. With the access key the JWT is signed locally
   * (no request); with a TokenCredential the service's `:generateToken` is called
   * (`socketio` maps to clientType `Default` on the Socket.IO path; `jwtHeaders` is refused).
   *
   * @example
   * ```ts
   * const { url, expiresOn } = await client.getClientAccessToken({ userId: "alice", roles: ["webpubsub.joinLeaveGroup"], groups: ["room"] });
   * const mqtt = await client.getClientAccessToken({ clientProtocol: "mqtt", expirationTimeInMinutes: 10, jwtHeaders: { kid: "k1" } });
   * ```
   */
  async getClientAccessToken(options: GetClientAccessTokenOptions = {}): Promise<ClientAccessToken> {
    // Arguments first, as every other operation does, then the closed check.
    checkTokenOptions(options);
    if (this.#closed) throw closedError("getClientAccessToken");
    const credential = this.#credential;
    if (!isTokenCredential(credential)) {
      return canSignSync ? signClientAccessTokenSync(this.endpoint, this.hubName, credential.key, options) : mintClientAccessToken(this.endpoint, this.hubName, credential.key, options);
    }
    if (options.jwtHeaders !== undefined) throw invalidArgument("jwtHeaders can only be used with an access key; the service signs tokens minted with a TokenCredential");
    const protocol = options.clientProtocol ?? "default";
    const { userId, roles, groups, expirationTimeInMinutes, clientProtocol: _c, jwtHeaders: _j, ...operationOptions } = options;
    const query = this.#query({
      userId,
      role: roles?.length ? roles : undefined,
      minutesToExpire: expirationTimeInMinutes,
      group: groups?.length ? groups : undefined,
      // The spec enum is Default | MQTT; Socket.IO tokens are Default tokens used on the Socket.IO path.
      // Sent only when asked for (as @azure/web-pubsub does): versions before 2024-01-01 lack it.
      clientType: options.clientProtocol === undefined ? undefined : generateTokenClientType(protocol),
    });
    const token = await this.#call(
      "getClientAccessToken",
      operationOptions,
      (p) => this.#rest.path("/api/hubs/{hub}/:generateToken", this.hubName).post(p),
      (response) => {
        // The spec lets the service answer text/plain or text/json too; the runtime parses only JSON.
        const raw = expectStatus("getClientAccessToken", response, "200").body;
        const body = (typeof raw === "string" ? safeJson(raw) : raw) as { token?: unknown } | undefined;
        if (typeof body?.token !== "string") throw new WebPubSubError("WPS_ERR_TOKEN", "generateToken answered 200 without a token");
        return body.token;
      },
      query,
    );
    const exp = decodeJwt(token).claims["exp"];
    if (typeof exp !== "number") throw new WebPubSubError("WPS_ERR_TOKEN", "the service token has no numeric exp claim");
    return clientAccess(this.endpoint, this.hubName, protocol, token, exp);
  }

  // ---- compatibility and lifecycle ------------------------------------------

  /**
   * A client for one group (the `@azure/web-pubsub` shape).
   * @example `await client.group("room").addConnection(id);`
   */
  group(groupName: string): WebPubSubGroup {
    checkGroup(groupName, "groupName");
    return new WebPubSubGroup(this, groupName);
  }

  /**
   * Releases this client's pooled sockets; later calls reject with `WPS_ERR_CLOSED`. Idempotent.
   * @example `await client.close();` or `await using client = new WebPubSubServiceClient(cs, "chat");`
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#disposeHttp?.();
    this.#disposeHttp = undefined;
  }

  /** `await using` support: same as {@link WebPubSubServiceClient.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Returns the response when its status is `ok`, else throws its ServiceError. */
function expectStatus(name: string, response: ResponseLike, ok: OkStatus): ResponseLike {
  if (response.status !== ok) throw toServiceError(name, response);
  return response;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Blobs are read into bytes here: the Node transports of the Azure runtime cannot send a Blob. */
async function materialize(body: EncodedMessage["body"]): Promise<SendBody> {
  if (isBlob(body)) return new Uint8Array(await body.arrayBuffer());
  return body as SendBody;
}

function toMember(item: GroupMember): GroupMember {
  return item.userId === undefined || item.userId === null ? { connectionId: item.connectionId } : { connectionId: item.connectionId, userId: item.userId };
}
