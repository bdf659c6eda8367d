// The REST surface the emulator serves, read from the route table that `npm run generate`
// emits from spec/: operations, path templates, API versions and what each version has.
// Nothing here is typed in by hand, so a new spec version is served without an edit.
import { routeTable, type RouteTableOperation, type RouteTableParameter } from "../../../generated/routeTable.js";
import { decodeSegment } from "../validation.js";

/** Name of an operation in the spec; the emulator has one handler per name. */
export type OperationName = (typeof routeTable.operations)[number]["name"];

/** API versions the emulator answers, oldest first (docs/protocol.md#api-versions). */
export const SUPPORTED_API_VERSIONS: readonly string[] = routeTable.versions;

/** The version assumed when a request names none: the newest (docs/protocol.md#api-versions). */
export const LATEST_API_VERSION: string = routeTable.versions[routeTable.versions.length - 1]!;

/** The query parameter that carries the API version. */
export const API_VERSION_PARAMETER: string = routeTable.apiVersionParameter;

/** One operation of the table, ready to match. */
export interface CompiledRoute {
  readonly name: OperationName;
  readonly method: string;
  readonly operation: RouteTableOperation;
  /** Path segments after `/api`; `{name}` segments are parameters. */
  readonly segments: readonly string[];
  /** The API versions that have the operation. */
  readonly versions: ReadonlySet<string>;
  /** Per API version that has the operation: its query parameters that version lacks. */
  readonly missingQuery: ReadonlyMap<string, readonly RouteTableParameter[]>;
}

const versionIndex = new Map<string, number>(routeTable.versions.map((v, i) => [v, i]));

/** Whether `version` lies in the `[added, removed)` span of an operation or parameter. */
export function availableIn(item: RouteTableOperation | RouteTableParameter, version: string): boolean {
  const at = versionIndex.get(version);
  if (at === undefined) return false;
  if (item.added !== undefined && at < (versionIndex.get(item.added) ?? Infinity)) return false;
  if (item.removed !== undefined && at >= (versionIndex.get(item.removed) ?? Infinity)) return false;
  return true;
}

/** "from 2022-11-01", "until 2025-01-01", "from … until …": the versions that have `item`. */
export function describeSpan(item: RouteTableOperation | RouteTableParameter): string {
  const from = item.added === undefined ? undefined : `from ${item.added}`;
  const until = item.removed === undefined ? undefined : `until ${item.removed}`;
  return [from, until].filter((part) => part !== undefined).join(" ") || "in every version";
}

/** Literal segments beat parameters, so `/groups/{group}` never swallows a literal route's segment. */
function literalCount(segments: readonly string[]): number {
  return segments.filter((s) => !s.startsWith("{")).length;
}

function compile(operation: RouteTableOperation & { name: OperationName }): CompiledRoute {
  const versions = routeTable.versions.filter((v) => availableIn(operation, v));
  const query = operation.parameters.filter((p) => p.in === "query");
  return {
    name: operation.name,
    method: operation.method,
    operation,
    segments: operation.path.split("/").slice(2), // drop "" and "api"
    versions: new Set(versions),
    missingQuery: new Map(versions.map((v) => [v, query.filter((p) => !availableIn(p, v))])),
  };
}

const compiled: readonly CompiledRoute[] = routeTable.operations
  .map(compile)
  .sort((a, b) => literalCount(b.segments) - literalCount(a.segments));

/** Every operation the table lists, for tests and tooling. */
export const ROUTES: readonly CompiledRoute[] = compiled;

/** The operation for `method` and the raw segments after `/api`, with decoded path parameters. */
export function findRoute(method: string, raw: readonly string[]): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const r of compiled) {
    if (r.method !== method || r.segments.length !== raw.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < raw.length && ok; i++) {
      const seg = r.segments[i]!;
      const value = raw[i]!;
      if (seg.startsWith("{")) {
        const decoded = decodeSegment(value);
        if (decoded === undefined || decoded === "") ok = false;
        else params[seg.slice(1, -1)] = decoded;
      } else {
        ok = seg === value;
      }
    }
    if (ok) return { route: r, params };
  }
  return undefined;
}
