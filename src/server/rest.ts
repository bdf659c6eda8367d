// Creates the generated REST client and a per-client socket pool that close() can release.
import type { ClientOptions } from "@azure-rest/core-client";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import createWebPubSubServiceClient, { apiVersions, defaultApiVersion, type WebPubSubServiceClient as GeneratedClient } from "../../generated/index.js";

/** The REST layer the service client calls: the generated RLC client. */
export type RestClient = GeneratedClient;

/** API versions of the spec, oldest first. */
export const SUPPORTED_API_VERSIONS: readonly string[] = apiVersions;
/** The newest API version, used by default. */
export const DEFAULT_API_VERSION: string = defaultApiVersion;

interface AgentLike {
  destroy(): void;
}
type AgentModule = { Agent: new (options: { keepAlive: boolean }) => AgentLike };

function builtin(id: string): AgentModule | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(id) as AgentModule | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives each client its own keep-alive agents (Node only), so close() can destroy its sockets
 * without touching the pool the Azure runtime shares between clients. Skipped when the caller
 * brings an httpClient or TLS settings (their agent choice wins).
 */
function agentPolicy(): { policy: PipelinePolicy; dispose: () => void } {
  let http: AgentLike | undefined;
  let https: AgentLike | undefined;
  return {
    policy: {
      name: "webPubSubAgentPolicy",
      sendRequest(request, next) {
        if (request.agent === undefined && request.tlsSettings === undefined) {
          const secure = request.url.startsWith("https:");
          const agent = secure ? (https ??= create("node:https")) : (http ??= create("node:http"));
          if (agent !== undefined) request.agent = agent as never;
        }
        return next(request);
      },
    },
    dispose() {
      http?.destroy();
      https?.destroy();
      http = https = undefined;
    },
  };
}

function create(id: string): AgentLike | undefined {
  const mod = builtin(id);
  return mod ? new mod.Agent({ keepAlive: true }) : undefined;
}

/** Builds the REST client for `endpoint` at `apiVersion`. */
export function createRestClient(endpoint: string, apiVersion: string, options: ClientOptions): { client: RestClient; dispose: () => void } {
  // No credential here: auth policies are added by the service client (key JWT or Entra scope).
  const client = createWebPubSubServiceClient(endpoint, undefined, { ...options, apiVersion });
  if (options.httpClient !== undefined) return { client, dispose: () => {} };
  const agents = agentPolicy();
  client.pipeline.addPolicy(agents.policy);
  return { client, dispose: agents.dispose };
}
