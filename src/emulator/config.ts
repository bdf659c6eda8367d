// The emulator CLI's JSON config file. Shaped like the ARM hub model (docs/protocol.md#hub-settings) so the
// same handler settings can move to a real resource; validated field by field so a
// typo is reported instead of silently ignored.
import { readFile } from "node:fs/promises";
import { WebPubSubError } from "../core/index.js";
import { validateHubSettings, type HubSettings } from "./upstream/index.js";
import { accessKeyProblem, normalizeHub } from "./validation.js";

/** Contents of `--config file.json`. */
export interface EmulatorConfig {
  port?: number;
  host?: string;
  accessKey?: string;
  hubs: Record<string, HubSettings>;
}

/** A config file that cannot be used. The message names the file (if any) and the field. */
export class ConfigError extends WebPubSubError {
  /** Dotted path of the bad field, e.g. `hubs.chat.eventHandlers[0].urlTemplate`; undefined for file-level problems. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super("WPS_ERR_CONFIGURATION", message);
    this.name = "ConfigError";
    this.field = field;
  }
}

const TOP_LEVEL = ["port", "host", "accessKey", "hubs"];

/** Checks a parsed config object. Throws {@link ConfigError} naming the first bad field. Never echoes the key. */
export function validateConfig(value: unknown): EmulatorConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError("the config must be a JSON object such as {\"hubs\": {}}");
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    // `$schema` is what editors add for completion; it is harmless.
    if (!TOP_LEVEL.includes(key) && key !== "$schema") {
      throw new ConfigError(`${key} is not a known field (expected ${TOP_LEVEL.join(", ")})`, key);
    }
  }

  const config: EmulatorConfig = { hubs: {} };
  const { port, host, accessKey, hubs } = obj;
  if (port !== undefined) {
    if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError("port must be an integer from 0 to 65535 (0 picks a free port)", "port");
    }
    config.port = port;
  }
  if (host !== undefined) {
    if (typeof host !== "string" || host.trim() === "") throw new ConfigError("host must be a non-empty string", "host");
    config.host = host;
  }
  if (accessKey !== undefined) {
    const problem = accessKeyProblem(accessKey);
    if (problem) throw new ConfigError(`accessKey ${problem}`, "accessKey");
    config.accessKey = accessKey as string;
  }
  if (hubs !== undefined) {
    let validated: Map<string, HubSettings>;
    try {
      validated = validateHubSettings(hubs, "hubs");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ConfigError(message, /^(hubs[^\s:]*)/.exec(message)?.[1] ?? "hubs");
    }
    // The validated map is keyed in lower case; keep the names as written.
    for (const name of Object.keys(hubs as object)) {
      config.hubs[name] = validated.get(normalizeHub(name)) as HubSettings;
    }
  }
  return config;
}

/** Reads and validates a config file. Errors name the file and the field. */
export async function loadConfig(path: string): Promise<EmulatorConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "it is a directory" : String((err as Error).message);
    throw new ConfigError(`cannot read config ${path}: ${why}`);
  }
  let parsed: unknown;
  try {
    // A BOM is common in files written by Windows editors.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    // V8 quotes the text around an unexpected token, which may be part of the key: keep the rest.
    const detail = (err as Error).message.replace(/,\s*(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)?\s+is not valid JSON$/, "");
    throw new ConfigError(`config ${path} is not valid JSON: ${detail}`);
  }
  try {
    return validateConfig(parsed);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`config ${path}: ${err.message}`, err.field);
    throw err;
  }
}
