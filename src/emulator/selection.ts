// Picks the connections a REST call acts on: the target set, minus `excluded`, through `filter`.
import type { ClientConnection } from "./ws/index.js";
import { badRequest } from "./errors.js";
import { evaluateFilter, FilterSyntaxError, parseFilter, type CompiledFilter } from "./filter.js";

/** Parses a filter, or returns undefined for an absent or empty one (= everything). */
export function compileFilter(text: string | null | undefined): CompiledFilter | undefined {
  if (text === null || text === undefined || text.trim() === "") return undefined;
  try {
    return parseFilter(text);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw badRequest(err.message, "filter");
    throw badRequest("The filter is not valid.", "filter");
  }
}

/** The connections of `pool` that are not excluded and match the filter. Snapshot, safe to mutate the pool after. */
export function selectConnections(
  pool: Iterable<ClientConnection>,
  excluded: ReadonlySet<string>,
  filter: CompiledFilter | undefined,
): ClientConnection[] {
  const out: ClientConnection[] = [];
  for (const conn of pool) {
    if (excluded.has(conn.id)) continue;
    if (filter && !matches(filter, conn)) continue;
    out.push(conn);
  }
  return out;
}

function matches(filter: CompiledFilter, conn: ClientConnection): boolean {
  return evaluateFilter(filter, {
    userId: conn.userId,
    connectionId: conn.id,
    groups: conn.groups,
    protocol: conn.subprotocol,
  });
}
