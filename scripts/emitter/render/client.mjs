// clientDefinitions.ts, the client factory, apiVersions.ts and index.ts.
import { camelCase, docComment, escapeTsDoc, identifier } from "../names.mjs";
import { importTypes, optionsRequired } from "./common.mjs";

/** @typedef {import("../collect.mjs").ClientModel} ClientModel */
/** @typedef {import("../collect.mjs").Operation} Operation */

/**
 * Operations grouped by path, in spec order; each route is named after its
 * first operation (the typespec-ts convention).
 * @param {ClientModel} model
 * @returns {{ name: string, path: string, ops: Operation[] }[]}
 */
export function routes(model) {
  /** @type {Map<string, { name: string, path: string, ops: Operation[] }>} */
  const byPath = new Map();
  for (const op of model.operations) {
    const route = byPath.get(op.path) ?? { name: op.name, path: op.path, ops: [] };
    if (!route.ops.some((o) => o.verb === op.verb)) route.ops.push(op);
    byPath.set(op.path, route);
  }
  return [...byPath.values()];
}

/** File name (without .ts) of the client factory, e.g. `petStoreClient`. */
export function clientFileName(/** @type {ClientModel} */ model) {
  return camelCase(model.clientName);
}

/**
 * clientDefinitions.ts: one interface per route, the `Routes` call
 * signatures and the client type.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderClientDefinitions(model) {
  /** @type {string[]} */
  const params = [];
  /** @type {string[]} */
  const responses = [];
  let out = "";
  let routesOut = "";
  for (const route of routes(model)) {
    out += `export interface ${route.name} {\n`;
    for (const op of route.ops) {
      params.push(`${op.name}Parameters`);
      responses.push(...op.responses.map((r) => r.name));
      const opt = optionsRequired(op) ? "" : "?";
      out += docComment(op.doc);
      out += `${op.verb}(options${opt}: ${op.name}Parameters): StreamableMethod<${op.responses.map((r) => r.name).join(" | ") || "never"}>;\n`;
    }
    out += "}\n\n";
    // core-client fills `{...}` segments from the arguments in template order.
    const types = new Map(route.ops[0].pathParams.map((p) => [p.name, p.type]));
    const args = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => `${identifier(m[1])}: ${types.get(m[1]) ?? "string"}`);
    const verbs = route.ops.map((o) => o.verb).join(", ");
    routesOut += docComment(`Resource for '${escapeTsDoc(route.path)}' has methods for the following verbs: ${verbs}`);
    routesOut += `(${[`path: ${JSON.stringify(route.path)}`, ...args].join(", ")}): ${route.name};\n`;
  }
  const imports =
    importTypes(params, "./parameters.js") +
    importTypes(responses, "./responses.js") +
    importTypes(["Client", "StreamableMethod"], "@azure-rest/core-client");
  return (
    `${imports}\n${out}export interface Routes {\n${routesOut}}\n\n` +
    `${docComment(model.doc)}export type ${model.clientName} = Client & {\npath: Routes;\n};\n`
  );
}

/**
 * The factory `create<Client>(endpointParam, credentials?, options?)`.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderClientFactory(model) {
  const name = model.clientName;
  const [endpoint, ...others] = model.server?.params ?? [];
  const positional = others.filter((p) => p.default === undefined);
  const withDefault = others.filter((p) => p.default !== undefined);

  // Endpoint template from @server: literal text escaped, variables interpolated.
  const template = model.server?.url ?? `{${endpoint?.wire ?? "endpoint"}}`;
  const url = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const v = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (v === undefined) return part.replace(/[`\\]|\$\{/g, (c) => `\\${c}`);
      if (!endpoint || v === endpoint.wire) return "${endpointParam}";
      return `\${${identifier(v)}}`;
    })
    .join("");

  let optionsType = `ClientOptions & {\n`;
  if (model.apiVersion) optionsType += `/** The api-version to send; defaults to ${JSON.stringify(model.apiVersion)}. */\napiVersion?: string;\n`;
  for (const p of withDefault) optionsType += `${docComment(p.doc, `Defaults to ${JSON.stringify(p.default)}.`)}${p.name}?: string;\n`;
  optionsType += "}";

  const credentials = [];
  if (model.auth.scopes.length) credentials.push(`scopes: options.credentials?.scopes ?? ${JSON.stringify(model.auth.scopes)},`);
  if (model.auth.apiKeyHeader) {
    credentials.push(`apiKeyHeaderName: options.credentials?.apiKeyHeaderName ?? ${JSON.stringify(model.auth.apiKeyHeader)},`);
  }

  let body = "";
  for (const p of withDefault) body += `const ${p.name} = options.${p.name} ?? ${JSON.stringify(p.default)};\n`;
  body += `const endpointUrl = options.endpoint ?? options.baseUrl ?? \`${url}\`;\n`;
  body += `const clientOptions: ClientOptions = {\n...options,\n`;
  if (model.apiVersion) body += `apiVersion: options.apiVersion ?? ${JSON.stringify(model.apiVersion)},\n`;
  if (credentials.length) body += `credentials: {\n...options.credentials,\n${credentials.join("\n")}\n},\n`;
  body += `};\nreturn getClient(endpointUrl, credentials, clientOptions) as ${name};\n`;

  const params = [
    `endpointParam: string`,
    ...positional.map((p) => `${p.name}: string`),
    `credentials?: TokenCredential | KeyCredential`,
    `options: ${name}Options = {}`,
  ];
  const paramDocs = [
    `@param endpointParam - ${endpoint?.doc ?? "The service endpoint."}`,
    ...positional.map((p) => `@param ${p.name} - ${p.doc ?? "Server URL variable."}`),
    `@param credentials - Credential that authenticates requests; omit to send none.`,
    `@param options - Pipeline options, plus the api-version to send.`,
  ];
  return (
    `import { getClient } from "@azure-rest/core-client";\n` +
    importTypes(["ClientOptions"], "@azure-rest/core-client") +
    importTypes(["KeyCredential", "TokenCredential"], "@azure/core-auth") +
    importTypes([name], "./clientDefinitions.js") +
    `\n/** Options of {@link create${name}}. */\nexport type ${name}Options = ${optionsType};\n\n` +
    docComment(`Create a \`${name}\`.`, paramDocs.join("\n")) +
    `export default function create${name}(${params.join(", ")}): ${name} {\n${body}}\n`
  );
}

/**
 * apiVersions.ts: every version of the service and the one emitted.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderApiVersions(model) {
  return (
    `/** Every api-version the service defines, oldest first. */\n` +
    `export const apiVersions = ${JSON.stringify(model.versions)} as const;\n\n` +
    `/** One of {@link apiVersions}. */\nexport type ApiVersion = (typeof apiVersions)[number];\n\n` +
    `/** The api-version this client was generated for, sent unless overridden. */\n` +
    `export const defaultApiVersion: ApiVersion = ${JSON.stringify(model.apiVersion)};\n`
  );
}

/**
 * index.ts: re-exports every module, the factory as default and by name.
 * @param {ClientModel} model
 * @param {string[]} modules module names (without extension) to re-export
 * @returns {string}
 */
export function renderIndex(model, modules) {
  const factory = `create${model.clientName}`;
  const file = clientFileName(model);
  return (
    `import ${factory} from "./${file}.js";\n\n` +
    modules.map((m) => `export * from "./${m}.js";\n`).join("") +
    `\nexport { ${factory} };\nexport default ${factory};\n`
  );
}
