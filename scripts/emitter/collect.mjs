// Walks the (version-projected) HTTP service and builds the plain description
// the renderers work from. Everything spec-specific is read here; the
// renderers only see this IR.
import {
  getNamespaceFullName,
  getPagingOperation,
  isArrayModelType,
  isErrorModel,
  listServices,
  resolveEncodedName,
} from "@typespec/compiler";
import { unsafe_mutateSubgraphWithNamespace } from "@typespec/compiler/experimental";
import { getHttpService, getServers } from "@typespec/http";
import { getVersioningMutators } from "@typespec/versioning";
import { reportDiagnostic } from "./lib.mjs";
import { identifier, pascalCase } from "./names.mjs";
import { BINARY_INPUT, createTypeMapper, docOf, stdScalarName } from "./types.mjs";

/** @typedef {import("@typespec/compiler").Program} Program */
/** @typedef {import("@typespec/compiler").Type} Type */
/** @typedef {import("@typespec/http").HttpOperation} HttpOperation */

/**
 * @typedef {object} Param one path, query or header parameter
 * @property {string} name wire name
 * @property {string} type TS type text
 * @property {boolean} optional
 * @property {string} [doc]
 * @property {string} [wrapper] name of the exploded-array wrapper interface
 *
 * @typedef {object} Body request body
 * @property {string} type TS type text (union over content types)
 * @property {boolean} optional
 * @property {string} [doc]
 *
 * @typedef {object} Response one status code (or range/default) of an operation
 * @property {string} name e.g. `SendToAll202Response`
 * @property {string} statusKey e.g. `202`, `Default`, `4XX`
 * @property {string} status TS type of `status`: `"202"`, or a subset of `HttpStatusCode`
 * @property {boolean} expected whether isUnexpected() treats it as expected
 * @property {string} [body] TS type text of the body
 * @property {Param[]} headers
 * @property {string} [doc]
 *
 * @typedef {object} Operation
 * @property {string} name PascalCase operation name, prefix of every type
 * @property {string} verb lower-case HTTP verb
 * @property {string} path route path template
 * @property {string} [doc]
 * @property {Param[]} pathParams
 * @property {Param[]} query
 * @property {Param[]} headers
 * @property {Body} [body]
 * @property {string[]} contentTypes request content types, when not plain JSON
 * @property {boolean} contentTypeOptional
 * @property {Response[]} responses
 * @property {{ items: string[], nextLink: string[] | undefined }} [paging] property paths
 *
 * @typedef {object} ClientModel everything the renderers need
 * @property {string} clientName
 * @property {string} [doc]
 * @property {string} source
 * @property {string[]} versions all service versions, oldest first
 * @property {string} [apiVersion] version emitted
 * @property {{ url: string, params: { name: string, wire: string, doc?: string, default?: string }[] }} [server]
 * @property {{ scopes: string[], apiKeyHeader?: string }} auth
 * @property {Operation[]} operations
 * @property {Set<string>} parameterRefs input model names used by parameters.ts
 * @property {Set<string>} responseRefs output model names used by responses.ts
 * @property {{ name: string, text: string }[]} models
 * @property {{ name: string, text: string }[]} outputModels
 */

/**
 * Build the client model for one service at one api-version.
 * @param {Program} program
 * @param {import("./lib.mjs").RlcEmitterOptions} options
 * @returns {ClientModel | undefined} undefined after reporting a diagnostic
 */
export function collect(program, options) {
  const service = listServices(program)[0];
  if (!service) {
    reportDiagnostic(program, { code: "no-service", target: program.getGlobalNamespaceType() });
    return undefined;
  }
  const versioning = getVersioningMutators(program, service.type);
  const versions = versioning?.kind === "versioned" ? versioning.snapshots.map((s) => String(s.version.value)) : [];
  const apiVersion = options["api-version"] ?? versions.at(-1);
  let namespace = service.type;
  if (versioning?.kind === "versioned") {
    const snapshot = versioning.snapshots.find((s) => s.version.value === apiVersion);
    if (!snapshot) {
      reportDiagnostic(program, {
        code: "unknown-api-version",
        format: { version: String(apiVersion), known: versions.join(", ") },
        target: service.type,
      });
      return undefined;
    }
    namespace = /** @type {any} */ (unsafe_mutateSubgraphWithNamespace(program, [snapshot.mutator], service.type).type);
  } else if (versioning?.kind === "transient") {
    namespace = /** @type {any} */ (unsafe_mutateSubgraphWithNamespace(program, [versioning.mutator], service.type).type);
  }

  const [http] = getHttpService(program, namespace);
  const mapper = createTypeMapper(program);
  const apiVersionParam = options["api-version-parameter"] ?? "api-version";
  /** @type {Set<string>} */
  const parameterRefs = new Set();
  /** @type {Set<string>} */
  const responseRefs = new Set();

  const counts = new Map();
  for (const op of http.operations) counts.set(op.operation.name, (counts.get(op.operation.name) ?? 0) + 1);
  const operations = http.operations.map((op) => {
    // Same-named operations in two interfaces get the interface as prefix.
    const prefix = counts.get(op.operation.name) > 1 && op.container.kind === "Interface" ? op.container.name : "";
    const name = pascalCase(prefix + pascalCase(op.operation.name));
    return operation(program, mapper, op, name, { apiVersionParam, parameterRefs, responseRefs });
  });

  const lastSegment = getNamespaceFullName(service.type).split(".").at(-1) ?? "Service";
  return {
    clientName: options["client-name"] ?? `${pascalCase(lastSegment)}Client`,
    doc: docOf(program, service.type),
    source: options.source ?? "spec/",
    versions,
    apiVersion: versioning?.kind === "versioned" ? apiVersion : undefined,
    server: server(program, namespace),
    auth: auth(http),
    operations,
    parameterRefs,
    responseRefs,
    models: mapper.declarations("input"),
    outputModels: mapper.declarations("output"),
  };
}

/**
 * @param {Program} program
 * @param {ReturnType<typeof createTypeMapper>} mapper
 * @param {HttpOperation} op
 * @param {string} name
 * @param {{ apiVersionParam: string, parameterRefs: Set<string>, responseRefs: Set<string> }} ctx
 * @returns {Operation}
 */
function operation(program, mapper, op, name, ctx) {
  /** @type {Param[]} */
  const pathParams = [];
  /** @type {Param[]} */
  const query = [];
  /** @type {Param[]} */
  const headers = [];
  let contentTypeOptional = false;
  for (const p of op.parameters.parameters) {
    const doc = paramDoc(program, p.param);
    const optional = p.param.optional;
    if (p.type === "path") {
      // Path arguments are interpolated into the URL: numbers or strings.
      const numeric = p.param.type.kind === "Scalar" && mapper.scalar(p.param.type, "output") === "number";
      pathParams.push({ name: p.name, type: numeric ? "number" : "string", optional, doc });
    } else if (p.type === "query") {
      if (p.name === ctx.apiVersionParam) continue; // the client adds it
      const t = p.param.type;
      if (p.explode && t.kind === "Model" && isArrayModelType(program, t)) {
        const item = mapper.render(t.indexer.value, "input", ctx.parameterRefs);
        query.push({ name: p.name, type: `Array<${item}>`, optional, doc, wrapper: `${name}${pascalCase(p.name)}QueryParam` });
      } else {
        query.push({ name: p.name, type: mapper.render(t, "input", ctx.parameterRefs), optional, doc });
      }
    } else if (p.type === "header") {
      if (p.name.toLowerCase() === "content-type") {
        contentTypeOptional = optional; // surfaced as `contentType`, not a header
        continue;
      }
      headers.push({ name: p.name, type: headerType(program, mapper, p.param.type, "input", ctx.parameterRefs), optional, doc });
    } else {
      reportDiagnostic(program, {
        code: "unsupported",
        format: { what: `${p.type} parameter "${p.name}"`, how: "pass it through `headers`" },
        target: p.param,
      });
    }
  }

  /** @type {Body | undefined} */
  let body;
  /** @type {string[]} */
  let contentTypes = [];
  const payload = op.parameters.body;
  if (payload && !(payload.type.kind === "Intrinsic" && payload.type.name === "void")) {
    contentTypes = payload.contentTypes.length ? [...payload.contentTypes] : ["application/json"];
    let types;
    if (payload.bodyKind === "file") {
      types = [BINARY_INPUT];
    } else if (payload.bodyKind === "single") {
      types = contentTypes.map((ct) => requestBodyType(program, mapper, payload.type, ct, ctx.parameterRefs));
    } else {
      reportDiagnostic(program, {
        code: "unsupported",
        format: { what: "multipart body", how: "typed as unknown" },
        target: op.operation,
      });
      types = ["unknown"];
    }
    body = {
      type: dedupeUnion(types),
      optional: payload.property?.optional ?? false,
      doc: payload.property ? docOf(program, payload.property) : undefined,
    };
  }

  const responses = op.responses.map((r) => response(program, mapper, r, name, ctx.responseRefs));
  // A catch-all response covers exactly the statuses not declared otherwise.
  // Typing it so (not `string`) keeps e.g. a body-less 200 from being a
  // subtype of it, which would break isUnexpected()'s narrowing.
  const declared = responses.filter((r) => r.statusKey !== "Default").map((r) => r.status);
  for (const r of responses) {
    if (r.statusKey === "Default") r.status = declared.length ? `Exclude<HttpStatusCode, ${declared.join(" | ")}>` : "HttpStatusCode";
  }
  const [paging] = getPagingOperation(program, op.operation);
  const wire = (/** @type {import("@typespec/compiler").ModelProperty[]} */ path) =>
    path.map((p) => resolveEncodedName(program, p, "application/json"));

  return {
    name,
    verb: op.verb,
    path: op.path,
    doc: docOf(program, op.operation),
    pathParams,
    query,
    headers,
    body,
    contentTypes: contentTypes.length === 1 && contentTypes[0] === "application/json" ? [] : contentTypes,
    contentTypeOptional,
    responses,
    paging: paging && {
      items: wire(paging.output.pageItems.path),
      nextLink: paging.output.nextLink && wire(paging.output.nextLink.path),
    },
  };
}

/**
 * @param {Program} program
 * @param {ReturnType<typeof createTypeMapper>} mapper
 * @param {import("@typespec/http").HttpOperationResponse} r
 * @param {string} opName
 * @param {Set<string>} refs
 * @returns {Response}
 */
function response(program, mapper, r, opName, refs) {
  const isError = isErrorModel(program, r.type);
  const codes = r.statusCodes;
  const statusKey = codes === "*" ? "Default" : typeof codes === "number" ? String(codes) : `${Math.floor(codes.start / 100)}XX`;
  /** @type {string[]} */
  const bodies = [];
  /** @type {Map<string, Param>} */
  const headers = new Map();
  for (const content of r.responses) {
    for (const [key, prop] of Object.entries(content.headers ?? {})) {
      const name = key.toLowerCase();
      if (!headers.has(name)) {
        headers.set(name, { name, type: headerType(program, mapper, prop.type, "output", refs), optional: prop.optional, doc: docOf(program, prop) });
      }
    }
    const b = content.body;
    if (!b || (b.type.kind === "Intrinsic" && b.type.name === "void")) continue;
    for (const ct of b.contentTypes.length ? b.contentTypes : ["application/json"]) {
      if (b.bodyKind === "file" || (!isJson(ct) && isBinary(program, b.type))) bodies.push(ct.startsWith("text/") ? "string" : "Uint8Array");
      else if (!isJson(ct) && b.type.kind === "Scalar") bodies.push("string");
      else bodies.push(mapper.render(b.type, "output", refs));
    }
  }
  return {
    name: `${opName}${statusKey}Response`,
    statusKey,
    status: statusType(codes),
    expected: !isError && codes !== "*",
    body: bodies.length ? dedupeUnion(bodies) : undefined,
    headers: [...headers.values()],
    doc: r.description ?? docOf(program, r.type),
  };
}

/**
 * Doc of a parameter, with its default value (which the service applies) appended.
 * @param {Program} program @param {import("@typespec/compiler").ModelProperty} prop
 */
function paramDoc(program, prop) {
  const doc = docOf(program, prop);
  const v = prop.defaultValue;
  let text;
  if (v?.valueKind === "StringValue") text = JSON.stringify(v.value);
  else if (v?.valueKind === "BooleanValue") text = String(v.value);
  else if (v?.valueKind === "NumericValue") text = String(v.value.asNumber() ?? v.value);
  else if (v?.valueKind === "EnumValue") text = JSON.stringify(v.value.value ?? v.value.name);
  if (text === undefined) return doc;
  return doc ? `${doc}\n\nDefaults to \`${text}\`.` : `Defaults to \`${text}\`.`;
}

/**
 * TS type of `status` for one status code, range or `*` (refined later).
 * @param {import("@typespec/http").HttpOperationResponse["statusCodes"]} codes
 */
function statusType(codes) {
  if (typeof codes === "number") return JSON.stringify(String(codes));
  if (codes !== "*" && codes.start % 100 === 0 && codes.end === codes.start + 99) {
    return `Extract<HttpStatusCode, \`${codes.start / 100}\${string}\`>`;
  }
  return "HttpStatusCode";
}

/**
 * TS type of a request body for one content type.
 * @param {Program} program @param {ReturnType<typeof createTypeMapper>} mapper
 * @param {Type} type @param {string} contentType @param {Set<string>} refs
 */
function requestBodyType(program, mapper, type, contentType, refs) {
  if (isJson(contentType)) return mapper.render(type, "input", refs);
  if (isBinary(program, type)) return contentType.startsWith("text/") ? "string" : BINARY_INPUT;
  if (type.kind === "Scalar") return "string";
  return mapper.render(type, "input", refs);
}

/** @param {string} ct */
function isJson(ct) {
  return /^application\/([\w.-]+\+)?json\b/.test(ct);
}

/** @param {Program} program @param {Type} type */
function isBinary(program, type) {
  return type.kind === "Scalar" && stdScalarName(program, type) === "bytes";
}

/**
 * Header values are strings on the wire; requests may also pass numbers and
 * booleans (core-client stringifies them), responses are always strings.
 * @param {Program} program @param {ReturnType<typeof createTypeMapper>} mapper
 * @param {Type} type @param {"input" | "output"} usage @param {Set<string>} refs
 */
function headerType(program, mapper, type, usage, refs) {
  if (type.kind === "Scalar") {
    const t = mapper.scalar(type, "output");
    return usage === "input" && (t === "number" || t === "boolean") ? t : "string";
  }
  if (type.kind === "String" || type.kind === "Enum" || type.kind === "Union") return mapper.render(type, usage, refs);
  return "string";
}

/** @param {string[]} types */
function dedupeUnion(types) {
  return [...new Set(types.flatMap((t) => (t === BINARY_INPUT ? t.split(" | ") : [t])))].join(" | ");
}

/**
 * The first @server: URL template and its variables.
 * @param {Program} program @param {import("@typespec/compiler").Namespace} namespace
 */
function server(program, namespace) {
  const s = getServers(program, namespace)?.[0];
  if (!s) return undefined;
  return {
    url: s.url,
    params: [...s.parameters].map(([name, prop]) => ({
      name: identifier(name),
      wire: name,
      doc: docOf(program, prop),
      default: prop.defaultValue?.valueKind === "StringValue" ? prop.defaultValue.value : undefined,
    })),
  };
}

/**
 * Credential settings core-client can take from the spec's @useAuth:
 * OAuth2 scopes and an API-key header name.
 * @param {import("@typespec/http").HttpService} http
 */
function auth(http) {
  /** @type {string[]} */
  const scopes = [];
  /** @type {string | undefined} */
  let apiKeyHeader;
  for (const option of http.authentication?.options ?? []) {
    for (const scheme of option.schemes) {
      if (scheme.type === "oauth2") {
        for (const flow of scheme.flows) for (const s of flow.scopes) if (!scopes.includes(s.value)) scopes.push(s.value);
      } else if (scheme.type === "apiKey" && scheme.in === "header") {
        apiKeyHeader ??= scheme.name;
      }
    }
  }
  return { scopes, apiKeyHeader };
}
