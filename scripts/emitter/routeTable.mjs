// Builds the route table: every operation of every version, with the version
// that added (and removed) each operation and parameter. Computed by projecting
// the service to each version in turn, so whatever the versioning library
// decides (@added, @removed, @renamedFrom, a moved route) is what the table says.
import { listServices } from "@typespec/compiler";
import { unsafe_mutateSubgraphWithNamespace } from "@typespec/compiler/experimental";
import { getHttpService } from "@typespec/http";
import { getVersioningMutators } from "@typespec/versioning";
import { reportDiagnostic } from "./lib.mjs";
import { camelCase, pascalCase } from "./names.mjs";

/**
 * @typedef {object} RouteParam one path, query or header parameter
 * @property {string} name wire name
 * @property {"path" | "query" | "header"} in
 * @property {string} [added] first version that has it, when later than the operation's
 * @property {string} [removed] first version after `added` that no longer has it
 *
 * @typedef {object} RouteOperation one method + path template
 * @property {string} name camelCase operation name
 * @property {string} method upper-case HTTP verb
 * @property {string} path path template
 * @property {string} [added] first version that has it, when later than the first version
 * @property {string} [removed] first version after `added` that no longer has it
 * @property {RouteParam[]} parameters
 *
 * @typedef {object} RouteTableModel
 * @property {string} apiVersionParameter query parameter carrying the version
 * @property {string[]} versions oldest first; empty for an unversioned service
 * @property {string} [defaultVersion]
 * @property {RouteOperation[]} operations
 */

/**
 * Build the route table of the program's service.
 * @param {import("@typespec/compiler").Program} program
 * @param {{ apiVersionParam: string, defaultVersion: string | undefined }} options
 * @returns {RouteTableModel | undefined}
 */
export function collectRouteTable(program, options) {
  const service = listServices(program)[0];
  if (!service) return undefined;
  const versioning = getVersioningMutators(program, service.type);
  /** @type {{ version: string | undefined, namespace: import("@typespec/compiler").Namespace }[]} */
  const projections = [];
  if (versioning?.kind === "versioned") {
    for (const snapshot of versioning.snapshots) {
      const projected = unsafe_mutateSubgraphWithNamespace(program, [snapshot.mutator], service.type).type;
      projections.push({ version: String(snapshot.version.value), namespace: /** @type {any} */ (projected) });
    }
  } else if (versioning?.kind === "transient") {
    const projected = unsafe_mutateSubgraphWithNamespace(program, [versioning.mutator], service.type).type;
    projections.push({ version: undefined, namespace: /** @type {any} */ (projected) });
  } else {
    projections.push({ version: undefined, namespace: service.type });
  }
  const versions = projections.flatMap((p) => (p.version === undefined ? [] : [p.version]));

  // key "VERB path" → entry. Newest version first, so the table follows the
  // current spec's order, with operations that later versions removed after it.
  /** @type {Map<string, { op: Omit<RouteOperation, "added" | "removed" | "parameters">, in: Set<number>, params: Map<string, { name: string, in: RouteParam["in"], at: Set<number> }> }>} */
  const entries = new Map();
  for (let index = projections.length - 1; index >= 0; index--) {
    const [http] = getHttpService(program, projections[index].namespace);
    const counts = new Map();
    for (const op of http.operations) counts.set(op.operation.name, (counts.get(op.operation.name) ?? 0) + 1);
    for (const op of http.operations) {
      // Same naming rule as the client's types (collect.mjs), camelCased.
      const prefix = counts.get(op.operation.name) > 1 && op.container.kind === "Interface" ? op.container.name : "";
      const name = camelCase(prefix + pascalCase(op.operation.name));
      const method = op.verb.toUpperCase();
      const key = `${method} ${op.path}`;
      const entry = entries.get(key) ?? { op: { name, method, path: op.path }, in: new Set(), params: new Map() };
      entries.set(key, entry);
      entry.in.add(index);
      for (const p of op.parameters.parameters) {
        if (p.type !== "path" && p.type !== "query" && p.type !== "header") continue;
        if (p.type === "query" && p.name === options.apiVersionParam) continue;
        if (p.type === "header" && p.name.toLowerCase() === "content-type") continue;
        const pkey = `${p.type}:${p.name}`;
        const param = entry.params.get(pkey) ?? { name: p.name, in: p.type, at: new Set() };
        entry.params.set(pkey, param);
        param.at.add(index);
      }
    }
  }

  /** @type {RouteOperation[]} */
  const operations = [];
  for (const entry of entries.values()) {
    const span = range(program, service.type, versions, entry.in, 0, `${entry.op.method} ${entry.op.path}`, versions.length - 1);
    /** @type {RouteParam[]} */
    const parameters = [];
    const first = Math.min(...entry.in);
    const last = Math.max(...entry.in);
    for (const param of entry.params.values()) {
      const p = range(program, service.type, versions, param.at, first, `${param.in} parameter "${param.name}" of ${entry.op.name}`, last);
      parameters.push({ name: param.name, in: param.in, ...p });
    }
    operations.push({ ...entry.op, ...span, parameters });
  }
  return {
    apiVersionParameter: options.apiVersionParam,
    versions,
    defaultVersion: options.defaultVersion,
    operations,
  };
}

/**
 * The `added`/`removed` pair for the projection indexes in `present`.
 * Each is left out when it matches the enclosing span (`start`..`end`): the
 * service's versions for an operation, the operation's for a parameter.
 * @param {import("@typespec/compiler").Program} program
 * @param {import("@typespec/compiler").Type} target for diagnostics
 * @param {string[]} versions
 * @param {Set<number>} present
 * @param {number} start
 * @param {string} what
 * @param {number} end
 * @returns {{ added?: string, removed?: string }}
 */
function range(program, target, versions, present, start, what, end) {
  if (versions.length === 0) return {};
  const sorted = [...present].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted.at(-1) ?? 0;
  if (last - first + 1 !== sorted.length) {
    // Removed and re-added: a single added/removed pair cannot say that.
    reportDiagnostic(program, {
      code: "unsupported",
      format: { what: `${what}, available in non-contiguous versions`, how: "the route table lists it from its first to its last version" },
      target,
    });
  }
  /** @type {{ added?: string, removed?: string }} */
  const out = {};
  if (first !== start) out.added = versions[first];
  if (last !== end) out.removed = versions[last + 1];
  return out;
}
