// `webpubsub token`: mints a client access URL, as a server would hand to a client.
import type { ClientProtocol } from "../server/index.js";
import { many, parseFlags, positiveInteger, UsageError } from "./args.js";
import { connectionFlags, serviceClientFrom } from "./connection.js";
import type { ResolvedIo } from "./io.js";

/** Help text of `webpubsub token`. */
export const TOKEN_USAGE = `Usage: webpubsub token [options]

Prints a client access URL (ws(s)://…/client/hubs/<hub>?access_token=…) for a
WebSocket client. The token is signed locally with the connection string's key.

Options:
  --connection-string <s>  Service connection string (default: $AZURE_WEBPUBSUB_CONNECTION_STRING)
  --hub <name>             Hub (default: $AZURE_WEBPUBSUB_HUB)
  --user <id>              User id of the connection
  --role <role>            Role, repeatable (e.g. webpubsub.joinLeaveGroup.chat)
  --group <name>           Group to join on connect, repeatable
  --expires-in <minutes>   Token lifetime in minutes (default 60)
  --protocol <kind>        default, mqtt or socketio (default: default)
  --json                   Print {"url","baseUrl","token","expiresOn"} instead of the URL
  -h, --help               Show this help
`;

const PROTOCOLS: readonly ClientProtocol[] = ["default", "mqtt", "socketio"];

const flags = {
  ...connectionFlags,
  user: { type: "string" },
  role: { type: "string", multiple: true },
  group: { type: "string", multiple: true },
  "expires-in": { type: "string" },
  protocol: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Runs `webpubsub token`; returns the exit code. */
export async function tokenCommand(args: string[], io: ResolvedIo): Promise<number> {
  const { values } = parseFlags(args, flags, false);
  if (values.help) {
    io.stdout.write(TOKEN_USAGE);
    return 0;
  }
  const protocol = values.protocol ?? "default";
  if (!PROTOCOLS.includes(protocol as ClientProtocol)) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(", ")}, got '${protocol}'`);
  const minutes = positiveInteger("expires-in", values["expires-in"]);
  const client = serviceClientFrom(values, io.env);
  try {
    const token = await client.getClientAccessToken({
      ...(values.user === undefined ? {} : { userId: values.user }),
      roles: many(values.role),
      groups: many(values.group),
      ...(minutes === undefined ? {} : { expirationTimeInMinutes: minutes }),
      clientProtocol: protocol as ClientProtocol,
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ url: token.url, baseUrl: token.baseUrl, token: token.token, expiresOn: token.expiresOn.toISOString() }, null, 2)}\n`);
    } else {
      io.stdout.write(`${token.url}\n`);
    }
    return 0;
  } finally {
    await client.close();
  }
}
