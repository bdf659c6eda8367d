// Command-line parsing shared by the `webpubsub` commands: one clear line for a wrong flag,
// never Node's raw parseArgs text.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../core/index.js";

// One class for every command, the emulator's included (it lives in core, which both use).
export { UsageError };

/** Exit codes scripts can rely on. */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** The command ran but failed: the service refused, the network failed, a file was unreadable. */
  Failed: 1,
  /** The command line was wrong: unknown flag, missing value, bad number. */
  Usage: 2,
  /** Stopped by Ctrl+C before finishing its work. */
  Interrupted: 130,
} as const;

/** The flag table of a command, as parseArgs takes it. */
export type Options = NonNullable<ParseArgsConfig["options"]>;

/** What parseFlags returns for a flag table. */
export type ParsedFlags<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>>;

/** parseArgs with strict flags, translating its errors into UsageError. */
export function parseFlags<T extends Options>(args: string[], options: T, allowPositionals = true): ParsedFlags<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals }) as ParsedFlags<T>;
  } catch (err) {
    throw new UsageError(describeParseError(err, options));
  }
}

function describeParseError(err: unknown, options: Options): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // Node's texts are long and mention APIs; keep the flag they name.
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag ?? message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = flag?.replace(/^-+/, "");
      const spec = name === undefined ? undefined : (options[name] ?? Object.values(options).find((o) => o.short === name));
      return spec?.type === "boolean" ? `option ${flag} takes no value` : `option ${flag ?? ""} needs a value`.trim();
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ""}`.trim();
    default:
      return message;
  }
}

/** A positive integer flag, or a UsageError naming it. */
export function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

/** The value of a repeatable string flag, always an array. */
export function many(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
