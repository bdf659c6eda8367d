// `webpubsub send`: one REST send to everyone, a group, a user or a connection.
import { readFile } from "node:fs/promises";
import type { MessageContentType } from "../server/index.js";
import { parseFlags, UsageError } from "./args.js";
import { connectionFlags, serviceClientFrom } from "./connection.js";
import type { ResolvedIo } from "./io.js";

/** Help text of `webpubsub send`. */
export const SEND_USAGE = `Usage: webpubsub send (--all | --group <g> | --user <u> | --connection <c>) [options] <message | --file <f> | ->

Sends one message through the service's REST API.

Target (exactly one):
  --all                    Every connection of the hub
  --group <name>           Connections in a group
  --user <id>              Connections of a user
  --connection <id>        One connection

Message (exactly one):
  <message>                The text on the command line
  --file <path>            The file's bytes
  -                        Standard input

Options:
  --connection-string <s>  Service connection string (default: $AZURE_WEBPUBSUB_CONNECTION_STRING)
  --hub <name>             Hub (default: $AZURE_WEBPUBSUB_HUB)
  --content-type <type>    text, json or binary (or text/plain, application/json,
                           application/octet-stream). Default: binary for --file, else text.
                           json is checked to be valid JSON before sending.
  --filter <odata>         OData filter on the receiving connections (not with --connection)
  -h, --help               Show this help
`;

const flags = {
  ...connectionFlags,
  all: { type: "boolean", default: false },
  group: { type: "string" },
  user: { type: "string" },
  connection: { type: "string" },
  file: { type: "string" },
  "content-type": { type: "string" },
  filter: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const CONTENT_TYPES: Record<string, MessageContentType> = {
  text: "text/plain",
  "text/plain": "text/plain",
  json: "application/json",
  "application/json": "application/json",
  binary: "application/octet-stream",
  "application/octet-stream": "application/octet-stream",
};

type Target = { kind: "all" } | { kind: "group" | "user" | "connection"; id: string };

/** Runs `webpubsub send`; returns the exit code. */
export async function sendCommand(args: string[], io: ResolvedIo): Promise<number> {
  const { values, positionals } = parseFlags(args, flags);
  if (values.help) {
    io.stdout.write(SEND_USAGE);
    return 0;
  }
  const target = targetOf(values);
  if (values.filter !== undefined && target.kind === "connection") throw new UsageError("--filter cannot be used with --connection");
  const source = sourceOf(positionals, values.file);
  const contentType = contentTypeOf(values["content-type"], source.kind === "file" ? "application/octet-stream" : "text/plain");
  // Read and check the message before connecting: a bad file or bad JSON sends nothing.
  const bytes = await readSource(source, io);
  const message = toMessage(bytes, contentType);

  const client = serviceClientFrom(values, io.env);
  try {
    const options = { contentType, ...(values.filter === undefined ? {} : { filter: values.filter }) };
    switch (target.kind) {
      case "all":
        await client.sendToAll(message, options);
        break;
      case "group":
        await client.sendToGroup(target.id, message, options);
        break;
      case "user":
        await client.sendToUser(target.id, message, options);
        break;
      case "connection":
        await client.sendToConnection(target.id, message, { contentType });
        break;
    }
    io.stderr.write(`sent ${bytes.byteLength} bytes (${contentType}) to ${describeTarget(target)}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

function targetOf(values: { all?: boolean; group?: string; user?: string; connection?: string }): Target {
  const chosen: Target[] = [];
  if (values.all) chosen.push({ kind: "all" });
  if (values.group !== undefined) chosen.push({ kind: "group", id: values.group });
  if (values.user !== undefined) chosen.push({ kind: "user", id: values.user });
  if (values.connection !== undefined) chosen.push({ kind: "connection", id: values.connection });
  if (chosen.length !== 1) throw new UsageError("choose exactly one target: --all, --group, --user or --connection");
  return chosen[0]!;
}

type Source = { kind: "text"; text: string } | { kind: "file"; path: string } | { kind: "stdin" };

function sourceOf(positionals: string[], file: string | undefined): Source {
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (quote a message that has spaces)`);
  const [text] = positionals;
  if (file !== undefined && text !== undefined) throw new UsageError("give the message either as an argument or with --file, not both");
  if (file !== undefined) return { kind: "file", path: file };
  if (text === "-") return { kind: "stdin" };
  if (text === undefined) throw new UsageError("missing message: give it as an argument, with --file <path>, or - for standard input");
  return { kind: "text", text };
}

function contentTypeOf(flag: string | undefined, fallback: MessageContentType): MessageContentType {
  if (flag === undefined) return fallback;
  const type = CONTENT_TYPES[flag.toLowerCase()];
  if (type === undefined) throw new UsageError(`--content-type must be text, json or binary, got '${flag}'`);
  return type;
}

async function readSource(source: Source, io: ResolvedIo): Promise<Uint8Array> {
  if (source.kind === "text") return new TextEncoder().encode(source.text);
  if (source.kind === "file") {
    try {
      return await readFile(source.path);
    } catch (err) {
      throw new UsageError(`cannot read --file ${source.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  return concat(chunks);
}

function toMessage(bytes: Uint8Array, contentType: MessageContentType): string | Uint8Array {
  if (bytes.byteLength === 0) throw new UsageError("the message is empty; the service refuses empty messages");
  if (contentType === "application/octet-stream") return bytes;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError("the message is not valid UTF-8 text; send it with --content-type binary");
  }
  if (contentType === "application/json") {
    try {
      JSON.parse(text);
    } catch (err) {
      throw new UsageError(`the message is not valid JSON: ${(err as Error).message}`);
    }
  }
  return text;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function describeTarget(target: Target): string {
  return target.kind === "all" ? "all connections" : `${target.kind} '${target.id}'`;
}
