// Creates the REST client and a per-client socket pool that close() can release.
// TEMPORARY: uses core-client's getClient until generated/ lands; then createWebPubSubServiceClient.
import { getClient, type Client, type ClientOptions } from "@azure-rest/core-client";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** The REST layer the service client calls. */
export type RestClient = Client;

/** API versions of the spec, oldest first. */
export const SUPPORTED_API_VERSIONS: readonly string[] = ["2021-10-01", "2022-11-01", "2023-07-01", "2024-01-01", "2024-12-01"];
/** The newest API version, used by default. */
export const DEFAULT_API_VERSION = "2024-12-01";

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
  const client = getClient(endpoint, { ...options, apiVersion });
  if (options.httpClient !== undefined) return { client, dispose: () => {} };
  const agents = agentPolicy();
  client.pipeline.addPolicy(agents.policy);
  return { client, dispose: agents.dispose };
}
