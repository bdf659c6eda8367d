// TypeSpec library definition: the emitter's name, options schema and diagnostics.
import { createTypeSpecLibrary, paramMessage } from "@typespec/compiler";

/**
 * @typedef {object} RlcEmitterOptions
 * @property {string} [api-version] version to emit; defaults to the newest one
 * @property {string} [client-name] client type name; defaults to `<Namespace>Client`
 * @property {string} [api-version-parameter] query parameter the client adds itself
 * @property {string} [source] spec location named in each file's header
 */

/** The emitter library; `$lib.name` is the key for its options. */
export const $lib = createTypeSpecLibrary({
  name: "rlc-emitter",
  diagnostics: {
    "no-service": {
      severity: "error",
      messages: { default: "No @service namespace found: nothing to emit." },
    },
    "unknown-api-version": {
      severity: "error",
      messages: {
        default: paramMessage`api-version "${"version"}" is not a version of this service (known: ${"known"}).`,
      },
    },
    unsupported: {
      severity: "warning",
      messages: { default: paramMessage`${"what"} is not supported by the RLC emitter: ${"how"}.` },
    },
  },
  emitter: {
    options: /** @type {any} */ ({
      type: "object",
      additionalProperties: false,
      properties: {
        "api-version": { type: "string", nullable: true, description: "Version to emit (default: newest)." },
        "client-name": { type: "string", nullable: true, description: "Client type name (default: <Namespace>Client)." },
        "api-version-parameter": {
          type: "string",
          nullable: true,
          description: "Query parameter set by the client instead of each call (default: api-version).",
        },
        source: { type: "string", nullable: true, description: "Spec location named in file headers (default: spec/)." },
      },
      required: [],
    }),
  },
});

export const { reportDiagnostic } = $lib;
