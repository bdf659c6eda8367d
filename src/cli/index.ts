// The `webpubsub` command: the one place that composes the service client, the client SDK
// and the emulator. main() takes argv and returns an exit code so tests run it in-process;
// bin/webpubsub.mjs is the only part that calls process.exit.
import { isWebPubSubError, PACKAGE_VERSION } from "../core/index.js";
import { ExitCode, UsageError } from "./args.js";
import { resolveIo, type CommandIo } from "./io.js";
import { listenCommand } from "./listen.js";
import { sendCommand } from "./send.js";
import { tokenCommand } from "./token.js";

export type { CommandIo } from "./io.js";
export { ExitCode } from "./args.js";

/** Help text of `webpubsub` itself. */
export const USAGE = `Usage: webpubsub <command> [options]

Commands:
  emulator   Run a local Web PubSub service (REST, client WebSockets, upstream events)
  token      Print a client access URL for a hub
  send       Send a message to all, a group, a user or a connection
  listen     Connect as a client and print each message as it arrives

Options:
  -v, --version   Print the version
  -h, --help      Show this help ('webpubsub <command> --help' for a command)

Exit codes: 0 done, 1 failed (service or network), 2 wrong command line, 130 interrupted.
`;

type Command = (args: string[], io: ReturnType<typeof resolveIo>) => Promise<number>;

const COMMANDS: Record<string, Command> = { token: tokenCommand, send: sendCommand, listen: listenCommand };

/** Runs the command line; resolves with the exit code. Never prints an access key or token except the output asked for. */
export async function main(argv: string[], io: CommandIo = {}): Promise<number> {
  const resolved = resolveIo(io);
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    resolved.stdout.write(USAGE);
    return first === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (first === "-v" || first === "--version") {
    resolved.stdout.write(`${PACKAGE_VERSION}\n`);
    return ExitCode.Ok;
  }
  if (first === "emulator") {
    const { main: emulatorMain } = await import("../emulator/cli.js");
    return emulatorMain(argv, io);
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    const hint = first.startsWith("-") ? `unknown option ${first}` : `unknown command '${first}'`;
    resolved.stderr.write(`webpubsub: ${hint}; expected one of emulator, token, send, listen\nRun 'webpubsub --help' for usage.\n`);
    return ExitCode.Usage;
  }
  try {
    return await command(rest, resolved);
  } catch (err) {
    if (err instanceof UsageError) {
      resolved.stderr.write(`webpubsub ${first}: ${err.message}\nRun 'webpubsub ${first} --help' for usage.\n`);
      return ExitCode.Usage;
    }
    resolved.stderr.write(`webpubsub ${first}: ${describeFailure(err)}\n`);
    return ExitCode.Failed;
  }
}

/** One line for a failure; the SDK's own errors are already free of keys and tokens. */
function describeFailure(err: unknown): string {
  if (isWebPubSubError(err)) {
    const status = (err as { statusCode?: number }).statusCode;
    return status === undefined ? `${err.message} (${err.code})` : `${err.message} (${err.code}, HTTP ${status})`;
  }
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === "string" ? `${message} (${code})` : message;
}
