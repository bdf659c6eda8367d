// Refuses, before any request, an operation or query option that the client's apiVersion
// does not have (as Python's generated clients do with `api_version_validation`). Without
// this, the call goes out and fails at the service, or worse, the service ignores the option.
// What each version has comes from the generated route table, so nothing here names a version.
import { routeTable, type RouteTableOperation, type RouteTableParameter } from "../../generated/index.js";
import { WebPubSubError } from "../core/index.js";
import type { RestClient } from "./rest.js";

const versions: readonly string[] = routeTable.versions;

/** Whether `version` lies in the `[added, removed)` span of an operation or parameter. */
function has(item: RouteTableOperation | RouteTableParameter, version: string): boolean {
  const at = versions.indexOf(version);
  if (item.added !== undefined && at < versions.indexOf(item.added)) return false;
  if (item.removed !== undefined && at >= versions.indexOf(item.removed)) return false;
  return true;
}

/** "2024-12-01 or later", "versions before 2025-01-01", or both. */
function span(item: RouteTableOperation | RouteTableParameter): string {
  if (item.added !== undefined && item.removed !== undefined) return `from ${item.added} until before ${item.removed}`;
  if (item.added !== undefined) return `${item.added} or later`;
  return `versions before ${item.removed}`;
}

/** What one operation (method + path template) lacks at the client's version. */
interface Gap {
  operation: RouteTableOperation;
  /** The operation itself is missing. */
  whole: boolean;
  /** Query parameters missing at this version, by wire name. */
  query: ReadonlyMap<string, RouteTableParameter>;
}

const gapsByVersion = new Map<string, ReadonlyMap<string, Gap>>();

/** `METHOD path` → gap, for the operations that lack something at `apiVersion` (computed once per version). */
function gapsAt(apiVersion: string): ReadonlyMap<string, Gap> {
  const known = gapsByVersion.get(apiVersion);
  if (known !== undefined) return known;
  const gaps = new Map<string, Gap>();
  for (const operation of routeTable.operations as readonly RouteTableOperation[]) {
    const whole = !has(operation, apiVersion);
    const query = new Map(operation.parameters.filter((p) => p.in === "query" && !has(p, apiVersion)).map((p) => [p.name, p]));
    if (whole || query.size > 0) gaps.set(`${operation.method} ${operation.path}`, { operation, whole, query });
  }
  gapsByVersion.set(apiVersion, gaps);
  return gaps;
}

function refuse(gap: Gap, apiVersion: string, queryParameters: unknown): void {
  const { operation } = gap;
  if (gap.whole) {
    throw new WebPubSubError(
      "WPS_ERR_API_VERSION",
      `${operation.name} (${operation.method} ${operation.path}) is not in apiVersion ${apiVersion}; it needs ${span(operation)}`,
    );
  }
  if (typeof queryParameters !== "object" || queryParameters === null) return;
  for (const name of Object.keys(queryParameters)) {
    const param = gap.query.get(name);
    if (param !== undefined && (queryParameters as Record<string, unknown>)[name] !== undefined) {
      throw new WebPubSubError(
        "WPS_ERR_API_VERSION",
        `the '${name}' option of ${operation.name} is not in apiVersion ${apiVersion}; it needs ${span(param)}`,
      );
    }
  }
}

/** Whether `apiVersion` lacks any operation or query parameter of the spec (else there is nothing to check). */
export function versionLacksAnything(apiVersion: string): boolean {
  return gapsAt(apiVersion).size > 0;
}

/**
 * The REST client, with every call checked against `apiVersion` first. At a version that has
 * every operation and parameter (the default, newest one) it is the client itself: no cost.
 */
export function guardApiVersion(client: RestClient, apiVersion: string): RestClient {
  const gaps = gapsAt(apiVersion);
  if (gaps.size === 0) return client;
  const path = client.path.bind(client) as (template: string, ...args: unknown[]) => Record<string, unknown>;
  const guardedPath = (template: string, ...args: unknown[]): Record<string, unknown> => {
    const resource = path(template, ...args);
    const guarded: Record<string, unknown> = { ...resource };
    for (const [verb, method] of Object.entries(resource)) {
      const gap = gaps.get(`${verb.toUpperCase()} ${template}`);
      if (gap === undefined || typeof method !== "function") continue;
      guarded[verb] = (options?: { queryParameters?: unknown }) => {
        refuse(gap, apiVersion, options?.queryParameters);
        return (method as (o: unknown) => unknown)(options);
      };
    }
    return guarded;
  };
  return { ...client, path: guardedPath } as unknown as RestClient;
}
