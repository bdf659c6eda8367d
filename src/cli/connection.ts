// Where the token, send and listen commands find the service: flags first, then the
// environment variables the SDK's fromEnvironment() reads.
import { WebPubSubServiceClient } from "../server/index.js";
import { UsageError } from "./args.js";

/** Environment variable holding the connection string. */
export const CONNECTION_STRING_VARIABLE = "AZURE_WEBPUBSUB_CONNECTION_STRING";
/** Environment variable holding the default hub. */
export const HUB_VARIABLE = "AZURE_WEBPUBSUB_HUB";

/** Flags every service command accepts. */
export const connectionFlags = {
  "connection-string": { type: "string" },
  hub: { type: "string" },
} as const;

/** Builds the service client from --connection-string/--hub or the environment. */
export function serviceClientFrom(values: { "connection-string"?: string; hub?: string }, env: NodeJS.ProcessEnv): WebPubSubServiceClient {
  const connectionString = values["connection-string"] ?? env[CONNECTION_STRING_VARIABLE];
  const hub = values.hub ?? env[HUB_VARIABLE];
  const missing: string[] = [];
  if (connectionString === undefined || connectionString.trim() === "") missing.push(`--connection-string (or ${CONNECTION_STRING_VARIABLE})`);
  if (hub === undefined || hub.trim() === "") missing.push(`--hub (or ${HUB_VARIABLE})`);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(" and ")}`);
  return new WebPubSubServiceClient(connectionString!, hub!);
}
