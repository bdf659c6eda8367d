// `webpubsub listen`: connects as a client (the client SDK, reliable protocol) and prints each
// message as it arrives, until Ctrl+C.
import { bytesToBase64Url } from "../core/index.js";
import { WebPubSubClient, type GroupDataMessage, type ServerDataMessage } from "../client/index.js";
import { many, parseFlags } from "./args.js";
import { connectionFlags, serviceClientFrom } from "./connection.js";
import { interrupted, type ResolvedIo } from "./io.js";

/** Help text of `webpubsub listen`. */
export const LISTEN_USAGE = `Usage: webpubsub listen [options]

Connects to a hub as a WebSocket client and prints each message it receives, one
line each, until Ctrl+C (exit code 0). Recovers from dropped connections.

Options:
  --connection-string <s>  Service connection string (default: $AZURE_WEBPUBSUB_CONNECTION_STRING)
  --hub <name>             Hub (default: $AZURE_WEBPUBSUB_HUB)
  --group <name>           Join a group, repeatable
  --user <id>              Connect as this user id
  --json                   One JSON object per line: {"from","group","fromUserId","dataType","data"}
                           (binary data as base64url)
  -h, --help               Show this help

Status lines (connected, recovering, disconnected) go to standard error.
`;

const flags = {
  ...connectionFlags,
  group: { type: "string", multiple: true },
  user: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Runs `webpubsub listen`; returns the exit code. */
export async function listenCommand(args: string[], io: ResolvedIo): Promise<number> {
  const { values } = parseFlags(args, flags, false);
  if (values.help) {
    io.stdout.write(LISTEN_USAGE);
    return 0;
  }
  const groups = many(values.group);
  const service = serviceClientFrom(values, io.env);
  // Groups go in the token, so every new connection (after a failed recovery too) is in them.
  const getClientAccessUrl = async (): Promise<string> =>
    (await service.getClientAccessToken({ ...(values.user === undefined ? {} : { userId: values.user }), groups })).url;
  const client = new WebPubSubClient({ getClientAccessUrl });
  const status = (line: string): void => void io.stderr.write(`${line}\n`);
  const print = values.json ? (m: GroupDataMessage | ServerDataMessage) => jsonLine(m) : (m: GroupDataMessage | ServerDataMessage) => textLine(m);
  let outputClosed!: () => void;
  const closedOutput = new Promise<void>((resolve) => (outputClosed = resolve));
  const write = (line: string): void => {
    try {
      io.stdout.write(`${line}\n`);
    } catch {
      outputClosed();
    }
  };
  // `listen | head -3`: once the reader is gone there is nobody to print for, so stop.
  (io.stdout as { once?: (event: "error", listener: () => void) => unknown }).once?.call(io.stdout, "error", () => outputClosed());

  client.on("connected", (e) => status(`connected to hub '${service.hubName}' as ${e.userId ? `user '${e.userId}'` : "an anonymous user"} (connection ${e.connectionId})${groups.length ? ` in ${groups.map((g) => `'${g}'`).join(", ")}` : ""}`));
  client.on("recovering", (e) => status(`connection lost (${e.code}${e.reason ? ` ${e.reason}` : ""}); recovering`));
  client.on("recovered", (e) => status(`recovered after ${e.attempts} attempt(s)`));
  client.on("disconnected", (e) => status(`disconnected${e.code === undefined ? "" : ` (${e.code}${e.reason ? ` ${e.reason}` : ""})`}`));
  client.on("group-message", (e) => write(print(e.message)));
  client.on("server-message", (e) => write(print(e.message)));

  const stop = interrupted(io);
  try {
    await client.start(io.signal === undefined ? {} : { abortSignal: io.signal });
    await Promise.race([stop.promise, closedOutput]);
    return 0;
  } finally {
    stop.dispose();
    client.stop();
    await service.close();
  }
}

function dataText(m: GroupDataMessage | ServerDataMessage): string {
  if (m.data instanceof ArrayBuffer) return `<${m.data.byteLength} bytes> ${bytesToBase64Url(new Uint8Array(m.data))}`;
  return m.dataType === "json" ? JSON.stringify(m.data) : String(m.data);
}

function textLine(m: GroupDataMessage | ServerDataMessage): string {
  const from = m.kind === "groupData" ? `[group ${m.group}${m.fromUserId ? ` from ${m.fromUserId}` : ""}]` : "[server]";
  return `${from} ${m.dataType}: ${dataText(m)}`;
}

function jsonLine(m: GroupDataMessage | ServerDataMessage): string {
  const data = m.data instanceof ArrayBuffer ? bytesToBase64Url(new Uint8Array(m.data)) : m.data;
  const from = m.kind === "groupData" ? { from: "group", group: m.group, fromUserId: m.fromUserId ?? null } : { from: "server" };
  return JSON.stringify({ ...from, dataType: m.dataType, data });
}
