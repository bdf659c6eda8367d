// routeTable.ts: pure data (no imports), so a server or test double can route
// by it without loading the client runtime.

/**
 * @param {import("../routeTable.mjs").RouteTableModel} table
 * @returns {string}
 */
export function renderRouteTable(table) {
  const ops = table.operations.map((op) => {
    const params = op.parameters.map((p) => `{ ${fields({ name: p.name, in: p.in, added: p.added, removed: p.removed })} }`);
    const head = fields({ name: op.name, method: op.method, path: op.path, added: op.added, removed: op.removed });
    return `{ ${head}, parameters: [${params.join(", ")}] }`;
  });
  return (
    `/** A path, query or header parameter of a {@link RouteTableOperation}. */\n` +
    `export interface RouteTableParameter {\n` +
    `/** Wire name. */\nreadonly name: string;\n` +
    `/** Where it goes. */\nreadonly in: "path" | "query" | "header";\n` +
    `/** First api-version that has it; absent: every version that has the operation. */\nreadonly added?: string;\n` +
    `/** First api-version, after \`added\`, that no longer has it. */\nreadonly removed?: string;\n` +
    `}\n\n` +
    `/** One REST operation: method, path template, and the api-versions that have it and its parameters. */\n` +
    `export interface RouteTableOperation {\n` +
    `/** Operation name (camelCase); appears twice only when a version moved the operation. */\nreadonly name: string;\n` +
    `/** Upper-case HTTP method. */\nreadonly method: string;\n` +
    `/** Path template; \`{name}\` segments are path parameters. */\nreadonly path: string;\n` +
    `/** First api-version that has it; absent: the first version. */\nreadonly added?: string;\n` +
    `/** First api-version, after \`added\`, that no longer has it. */\nreadonly removed?: string;\n` +
    `/** Path, query and header parameters (not the api-version parameter or Content-Type). */\nreadonly parameters: readonly RouteTableParameter[];\n` +
    `}\n\n` +
    `/** The shape of {@link routeTable}. */\n` +
    `export interface RouteTable {\n` +
    `/** Query parameter that carries the api-version. */\nreadonly apiVersionParameter: string;\n` +
    `/** Every api-version, oldest first (empty for an unversioned service). */\nreadonly versions: readonly string[];\n` +
    `/** The version a client sends unless told otherwise. */\nreadonly defaultVersion: string | undefined;\n` +
    `/** Every operation of every version, in spec order. */\nreadonly operations: readonly RouteTableOperation[];\n` +
    `}\n\n` +
    `/** Every operation of the service with per-version availability, as plain data. */\n` +
    `export const routeTable = {\n` +
    `apiVersionParameter: ${JSON.stringify(table.apiVersionParameter)},\n` +
    `versions: ${JSON.stringify(table.versions)},\n` +
    `defaultVersion: ${table.defaultVersion === undefined ? "undefined" : JSON.stringify(table.defaultVersion)},\n` +
    `operations: [\n${ops.join(",\n")},\n],\n` +
    `} as const satisfies RouteTable;\n`
  );
}

/**
 * `key: value` pairs for the defined values, JSON-quoted.
 * @param {Record<string, string | undefined>} values
 */
function fields(values) {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
}
