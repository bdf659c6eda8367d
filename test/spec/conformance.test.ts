// Conformance of the OpenAPI 3 documents emitted from spec/main.tsp
// (spec/openapi/webpubsub.<version>.json) against the official Swagger 2.0
// files, operation by operation. Descriptions, examples, tags, `produces`,
// `additionalProperties` and the host template are not compared: they do not
// change what goes over the wire or the TypeSpec emitter can't express them
// per version.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// The official swagger files, one `<version>/webpubsub.json` each (reference data, not in users'
// clones). WPS_REFERENCE_OPENAPI points elsewhere, e.g. for a copy of the repo in a test.
const referenceDir = path.resolve(process.env["WPS_REFERENCE_OPENAPI"] ?? path.join(repoRoot, "../shared/reference/openapi"));
const emittedDir = path.join(repoRoot, "spec", "openapi");

type Version = string;

/** Versions with an emitted document, oldest first: what spec/ defines. */
const EMITTED_VERSIONS: readonly Version[] = readdirSync(emittedDir)
  .map((file) => /^webpubsub\.(.+)\.json$/.exec(file)?.[1])
  .filter((v): v is string => v !== undefined)
  .sort();

/** Versions with an official swagger file, oldest first (empty when the folder is absent). */
const OFFICIAL_VERSIONS: readonly Version[] = existsSync(referenceDir)
  ? readdirSync(referenceDir)
      .filter((name) => existsSync(path.join(referenceDir, name, "webpubsub.json")))
      .sort()
  : [];

/** Every version either side has: a version on one side only is a failure, never a skip. */
const VERSIONS: readonly Version[] = [...new Set([...EMITTED_VERSIONS, ...OFFICIAL_VERSIONS])].sort();

/**
 * Intended differences between the emitted documents and the official swagger.
 * Each entry needs a reason. Currently none: the spec reproduces every compared
 * fact. An entry that no longer matches a real difference fails the suite.
 */
interface AllowedDifference {
  versions: readonly Version[] | "all";
  operationId: string;
  /** The `aspect` of a Difference, e.g. "parameter query:group pattern". */
  aspect: string;
  why: string;
}
const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [];

// ---------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function readJson(file: string): JsonObject {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  assert.ok(isObject(parsed), `${file} is not a JSON object`);
  return parsed;
}

/** Resolves a local JSON pointer such as `#/components/parameters/Hub`. */
function resolvePointer(doc: JsonObject, ref: string): JsonObject {
  assert.ok(ref.startsWith("#/"), `only local $refs are supported, got ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = asObject(node)[key];
  }
  assert.ok(isObject(node), `unresolvable $ref ${ref}`);
  return node;
}

/** Follows `$ref` chains (parameters, responses, request bodies). */
function deref(doc: JsonObject, value: unknown): JsonObject {
  let node = asObject(value);
  for (let hops = 0; typeof node["$ref"] === "string"; hops++) {
    assert.ok(hops < 20, "$ref loop");
    node = resolvePointer(doc, node["$ref"]);
  }
  return node;
}

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? "undefined";

// ---------------------------------------------------------------------------
// Schema shapes: the wire-relevant part of a schema, with $ref/allOf/anyOf
// flattened so Swagger 2.0 and OpenAPI 3 spellings compare equal.
// ---------------------------------------------------------------------------

interface Shape {
  type?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: unknown;
  exclusiveMaximum?: unknown;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  enum?: string[];
  /** true for an extensible enum (x-ms-enum modelAsString, or a union with `string`). */
  enumIsOpen?: boolean;
  default?: unknown;
  items?: Shape;
  properties?: Record<string, Shape>;
  required?: string[];
  /** Marks a recursive reference back to an enclosing named schema. */
  recursiveRef?: string;
}

const SCALAR_KEYS = [
  "type",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "default",
] as const;

/** `names` holds the named schemas being expanded, so recursive models stop at a marker. */
function shapeOf(doc: JsonObject, schema: unknown, names: readonly string[] = []): Shape {
  const node = asObject(schema);
  // $ref, possibly with siblings -> the target with the siblings laid over it.
  const ref = node["$ref"];
  if (typeof ref === "string") {
    const name = ref.split("/").pop() ?? ref;
    if (names.includes(name)) return { recursiveRef: name };
    const { $ref: _ignored, ...siblings } = node;
    return shapeOf(doc, { ...resolvePointer(doc, ref), ...siblings }, [...names, name]);
  }
  // allOf: merge every part (the OpenAPI 3 emitter wraps a $ref plus default/description in allOf).
  const allOf = asArray(node["allOf"]);
  if (allOf.length > 0) {
    const { allOf: _ignored, ...rest } = node;
    const merged: Shape = {};
    for (const part of allOf) Object.assign(merged, shapeOf(doc, part, names));
    return { ...merged, ...shapeOf(doc, rest, names) };
  }
  // anyOf/oneOf of strings: an (open) enum as emitted for a TypeSpec union with `string`.
  const choices = [...asArray(node["anyOf"]), ...asArray(node["oneOf"])];
  if (choices.length > 0) {
    const { anyOf: _a, oneOf: _o, ...rest } = node;
    const parts = choices.map((choice) => shapeOf(doc, choice, names));
    if (parts.every((part) => part.type === "string")) {
      const values = parts.flatMap((part) => part.enum ?? []);
      const open = parts.some((part) => part.enum === undefined || part.enumIsOpen === true);
      return { ...shapeOf(doc, rest, names), type: "string", enum: values.sort(), enumIsOpen: open };
    }
    return { ...shapeOf(doc, rest, names), type: `anyOf(${parts.map(stable).join("|")})` };
  }

  const shape: Shape = {};
  for (const key of SCALAR_KEYS) {
    if (node[key] !== undefined) (shape as Record<string, unknown>)[key] = node[key];
  }
  if (Array.isArray(node["enum"])) {
    shape.enum = node["enum"].map(String).sort();
    shape.enumIsOpen = asObject(node["x-ms-enum"])["modelAsString"] === true;
  }
  if (node["items"] !== undefined) shape.items = shapeOf(doc, node["items"], names);
  if (isObject(node["properties"])) {
    shape.properties = Object.fromEntries(
      Object.entries(node["properties"])
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => [key, shapeOf(doc, value, names)]),
    );
  }
  const required = asArray(node["required"]).map(String);
  if (required.length > 0) shape.required = required.sort();
  return shape;
}

// ---------------------------------------------------------------------------
// Operation facts, the same shape for both document kinds.
// ---------------------------------------------------------------------------

interface ParameterFacts {
  name: string;
  in: string;
  required: boolean;
  /** Serialization of an array: "multi" (repeated), "csv", "ssv", "tsv", "pipes"; undefined for scalars. */
  arrayStyle: string | undefined;
  schema: Shape;
}

interface BodyFacts {
  required: boolean;
  contentTypes: string[];
  /** Schema per content type. */
  schemas: Record<string, Shape>;
}

interface ResponseFacts {
  headers: Record<string, Shape>;
  /** Body schema, if the response has a body. */
  body: Shape | undefined;
}

interface OperationFacts {
  operationId: string;
  method: string;
  path: string;
  parameters: Map<string, ParameterFacts>;
  body: BodyFacts | undefined;
  /** Every non-default status code. */
  responses: Map<string, ResponseFacts>;
  defaultResponse: ResponseFacts | undefined;
}

const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

function* eachOperation(
  doc: JsonObject,
): Generator<{ path: string; method: string; item: JsonObject; op: JsonObject }> {
  for (const [p, rawItem] of Object.entries(asObject(doc["paths"]))) {
    const item = asObject(rawItem);
    for (const [method, op] of Object.entries(item)) {
      if (HTTP_METHODS.has(method)) yield { path: p, method: method.toUpperCase(), item, op: asObject(op) };
    }
  }
}

/** Operation count straight from `paths`, for the README check. */
function countOperations(doc: JsonObject): number {
  return [...eachOperation(doc)].length;
}

function swaggerFacts(doc: JsonObject): Map<string, OperationFacts> {
  const out = new Map<string, OperationFacts>();
  for (const { path: p, method, item, op } of eachOperation(doc)) {
    const operationId = String(op["operationId"]);
    const parameters = new Map<string, ParameterFacts>();
    let body: BodyFacts | undefined;
    for (const raw of [...asArray(item["parameters"]), ...asArray(op["parameters"])]) {
      const param = deref(doc, raw);
      const location = String(param["in"]);
      if (location === "body") {
        const consumes = asArray(op["consumes"] ?? doc["consumes"] ?? ["application/json"])
          .map(String)
          .sort();
        const schema = shapeOf(doc, param["schema"]);
        body = {
          required: param["required"] === true,
          contentTypes: consumes,
          schemas: Object.fromEntries(consumes.map((type) => [type, schema])),
        };
        continue;
      }
      const { name, in: _in, required, description: _d, collectionFormat, ...schema } = param;
      const isArray = schema["type"] === "array";
      parameters.set(`${location}:${String(name)}`, {
        name: String(name),
        in: location,
        required: required === true,
        arrayStyle: isArray ? String(collectionFormat ?? "csv") : undefined,
        schema: shapeOf(doc, schema),
      });
    }
    const responses = new Map<string, ResponseFacts>();
    let defaultResponse: ResponseFacts | undefined;
    for (const [code, raw] of Object.entries(asObject(op["responses"]))) {
      const response = deref(doc, raw);
      const headers = Object.fromEntries(
        Object.entries(asObject(response["headers"])).map(([name, header]) => [
          name.toLowerCase(),
          shapeOf(doc, header),
        ]),
      );
      const facts: ResponseFacts = {
        headers,
        body: response["schema"] === undefined ? undefined : shapeOf(doc, response["schema"]),
      };
      if (code === "default") defaultResponse = facts;
      else responses.set(code, facts);
    }
    out.set(operationId, { operationId, method, path: p, parameters, body, responses, defaultResponse });
  }
  return out;
}

/** OpenAPI 3 array style mapped onto Swagger 2.0 `collectionFormat` names. */
function openApi3ArrayStyle(location: string, param: JsonObject): string {
  const style = String(param["style"] ?? (location === "query" || location === "cookie" ? "form" : "simple"));
  const explode = typeof param["explode"] === "boolean" ? param["explode"] : style === "form";
  if (style === "form") return explode ? "multi" : "csv";
  if (style === "spaceDelimited") return explode ? "multi" : "ssv";
  if (style === "pipeDelimited") return explode ? "multi" : "pipes";
  return explode ? `${style}+explode` : "csv";
}

function openApi3Facts(doc: JsonObject): Map<string, OperationFacts> {
  const out = new Map<string, OperationFacts>();
  for (const { path: p, method, item, op } of eachOperation(doc)) {
    const operationId = String(op["operationId"]);
    const parameters = new Map<string, ParameterFacts>();
    for (const raw of [...asArray(item["parameters"]), ...asArray(op["parameters"])]) {
      const param = deref(doc, raw);
      const location = String(param["in"]);
      const schema = shapeOf(doc, param["schema"]);
      parameters.set(`${location}:${String(param["name"])}`, {
        name: String(param["name"]),
        in: location,
        required: param["required"] === true,
        arrayStyle: schema.type === "array" ? openApi3ArrayStyle(location, param) : undefined,
        schema,
      });
    }
    let body: BodyFacts | undefined;
    if (op["requestBody"] !== undefined) {
      const requestBody = deref(doc, op["requestBody"]);
      const content = asObject(requestBody["content"]);
      body = {
        required: requestBody["required"] === true,
        contentTypes: Object.keys(content).sort(),
        schemas: Object.fromEntries(
          Object.entries(content).map(([type, media]) => [type, shapeOf(doc, asObject(media)["schema"])]),
        ),
      };
    }
    const responses = new Map<string, ResponseFacts>();
    let defaultResponse: ResponseFacts | undefined;
    for (const [code, raw] of Object.entries(asObject(op["responses"]))) {
      const response = deref(doc, raw);
      const headers = Object.fromEntries(
        Object.entries(asObject(response["headers"])).map(([name, header]) => [
          name.toLowerCase(),
          shapeOf(doc, deref(doc, header)["schema"]),
        ]),
      );
      const bodies = Object.values(asObject(response["content"])).map((media) =>
        shapeOf(doc, asObject(media)["schema"]),
      );
      // All content types of one response carry the same schema here; a mismatch shows as a distinct shape.
      const distinct = [...new Map(bodies.map((shape) => [stable(shape), shape])).values()];
      const facts: ResponseFacts = {
        headers,
        body:
          distinct.length === 0
            ? undefined
            : distinct.length === 1
              ? distinct[0]
              : { type: `oneOf(${distinct.map(stable).join("|")})` },
      };
      if (code === "default") defaultResponse = facts;
      else responses.set(code, facts);
    }
    out.set(operationId, { operationId, method, path: p, parameters, body, responses, defaultResponse });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

type Aspect =
  | "operations"
  | "route"
  | "parameters"
  | "constraints"
  | "requestBody"
  | "statusCodes"
  | "errors"
  | "responseBodies";

interface Difference {
  category: Aspect;
  operationId: string;
  /** Stable name of what differs, e.g. "parameter query:excluded array style". */
  aspect: string;
  official: unknown;
  emitted: unknown;
}

const show = (value: unknown): string => (value === undefined ? "(absent)" : stable(value));

function describeDifference(d: Difference): string {
  return `${d.operationId}: ${d.aspect}: official ${show(d.official)}, emitted ${show(d.emitted)}`;
}

function compareShapes(
  out: Difference[],
  category: Aspect,
  operationId: string,
  label: string,
  official: Shape | undefined,
  emitted: Shape | undefined,
): void {
  if (official === undefined || emitted === undefined) {
    if (official !== emitted) out.push({ category, operationId, aspect: label, official, emitted });
    return;
  }
  const keys = new Set([...Object.keys(official), ...Object.keys(emitted)]) as Set<keyof Shape>;
  for (const key of [...keys].sort()) {
    const a = official[key];
    const b = emitted[key];
    if (key === "items") compareShapes(out, category, operationId, `${label} items`, official.items, emitted.items);
    else if (key === "properties") {
      const names = new Set([...Object.keys(official.properties ?? {}), ...Object.keys(emitted.properties ?? {})]);
      for (const name of [...names].sort()) {
        compareShapes(
          out,
          category,
          operationId,
          `${label}.${name}`,
          official.properties?.[name],
          emitted.properties?.[name],
        );
      }
    } else if (stable(a) !== stable(b))
      out.push({ category, operationId, aspect: `${label} ${key}`, official: a, emitted: b });
  }
}

function compareResponse(
  out: Difference[],
  operationId: string,
  label: string,
  category: Aspect,
  official: ResponseFacts,
  emitted: ResponseFacts,
): void {
  const headerNames = new Set([...Object.keys(official.headers), ...Object.keys(emitted.headers)]);
  for (const name of [...headerNames].sort()) {
    compareShapes(out, "errors", operationId, `${label} header ${name}`, official.headers[name], emitted.headers[name]);
  }
  compareShapes(out, category, operationId, `${label} body`, official.body, emitted.body);
}

/** Every difference between an official swagger and an emitted OpenAPI 3 document. */
function compareDocuments(official: JsonObject, emitted: JsonObject): Difference[] {
  const out: Difference[] = [];
  const expected = swaggerFacts(official);
  const actual = openApi3Facts(emitted);

  for (const id of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const want = expected.get(id);
    const got = actual.get(id);
    if (!want || !got) {
      out.push({
        category: "operations",
        operationId: id,
        aspect: "operation",
        official: want ? `${want.method} ${want.path}` : undefined,
        emitted: got ? `${got.method} ${got.path}` : undefined,
      });
      continue;
    }
    if (want.method !== got.method)
      out.push({ category: "route", operationId: id, aspect: "method", official: want.method, emitted: got.method });
    if (want.path !== got.path)
      out.push({ category: "route", operationId: id, aspect: "path", official: want.path, emitted: got.path });

    for (const key of [...new Set([...want.parameters.keys(), ...got.parameters.keys()])].sort()) {
      const a = want.parameters.get(key);
      const b = got.parameters.get(key);
      if (!a || !b) {
        out.push({
          category: "parameters",
          operationId: id,
          aspect: `parameter ${key}`,
          official: a ? "present" : undefined,
          emitted: b ? "present" : undefined,
        });
        continue;
      }
      if (a.required !== b.required) {
        out.push({
          category: "parameters",
          operationId: id,
          aspect: `parameter ${key} required`,
          official: a.required,
          emitted: b.required,
        });
      }
      if (a.arrayStyle !== b.arrayStyle) {
        out.push({
          category: "parameters",
          operationId: id,
          aspect: `parameter ${key} array style`,
          official: a.arrayStyle,
          emitted: b.arrayStyle,
        });
      }
      compareShapes(out, "constraints", id, `parameter ${key}`, a.schema, b.schema);
    }

    if (want.body === undefined || got.body === undefined) {
      if (want.body !== got.body) {
        out.push({
          category: "requestBody",
          operationId: id,
          aspect: "request body",
          official: want.body?.contentTypes,
          emitted: got.body?.contentTypes,
        });
      }
    } else {
      if (stable(want.body.contentTypes) !== stable(got.body.contentTypes)) {
        out.push({
          category: "requestBody",
          operationId: id,
          aspect: "request content types",
          official: want.body.contentTypes,
          emitted: got.body.contentTypes,
        });
      }
      if (want.body.required !== got.body.required) {
        out.push({
          category: "requestBody",
          operationId: id,
          aspect: "request body required",
          official: want.body.required,
          emitted: got.body.required,
        });
      }
      // Content types present on one side only are already reported above.
      for (const type of want.body.contentTypes.filter((t) => got.body?.contentTypes.includes(t))) {
        compareShapes(
          out,
          "requestBody",
          id,
          `request body (${type})`,
          want.body.schemas[type],
          got.body.schemas[type],
        );
      }
    }

    const wantCodes = [...want.responses.keys()].sort();
    const gotCodes = [...got.responses.keys()].sort();
    if (stable(wantCodes) !== stable(gotCodes)) {
      out.push({
        category: "statusCodes",
        operationId: id,
        aspect: "success status codes",
        official: wantCodes,
        emitted: gotCodes,
      });
    }
    for (const code of wantCodes) {
      const a = want.responses.get(code);
      const b = got.responses.get(code);
      if (a && b) compareResponse(out, id, `response ${code}`, "responseBodies", a, b);
    }

    if (want.defaultResponse === undefined || got.defaultResponse === undefined) {
      if (want.defaultResponse !== got.defaultResponse) {
        out.push({
          category: "errors",
          operationId: id,
          aspect: "default (error) response",
          official: want.defaultResponse ? "present" : undefined,
          emitted: got.defaultResponse ? "present" : undefined,
        });
      }
    } else {
      compareResponse(out, id, "default response", "errors", want.defaultResponse, got.defaultResponse);
    }
  }
  return out;
}

function isAllowed(
  version: Version,
  d: Difference,
  allowList: readonly AllowedDifference[],
): AllowedDifference | undefined {
  return allowList.find(
    (entry) =>
      (entry.versions === "all" || entry.versions.includes(version)) &&
      entry.operationId === d.operationId &&
      entry.aspect === d.aspect,
  );
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

function emittedDocument(version: Version): JsonObject {
  return readJson(path.join(emittedDir, `webpubsub.${version}.json`));
}

describe("The emitted OpenAPI 3 documents (spec/openapi)", () => {
  it("exist for at least the five GA versions, one per version of spec/", () => {
    assert.ok(EMITTED_VERSIONS.length >= 5, `found ${EMITTED_VERSIONS.join(", ")}`);
  });
});

describe("The conformance comparator", () => {
  // Tiny hand-written pair, so the comparator is proven to see differences
  // even where the reference files are absent.
  const swagger: JsonObject = {
    swagger: "2.0",
    paths: {
      "/api/hubs/{hub}/:send": {
        post: {
          operationId: "WebPubSub_SendToAll",
          consumes: ["application/json", "text/plain"],
          parameters: [
            { in: "path", name: "hub", required: true, type: "string", pattern: "^[a-z]+$" },
            { in: "query", name: "excluded", type: "array", items: { type: "string" }, collectionFormat: "multi" },
            { in: "body", name: "message", required: true, schema: { type: "string", format: "binary" } },
          ],
          responses: { "202": { description: "Accepted" }, default: { description: "Error" } },
        },
      },
    },
  };
  const openApi3 = (): JsonObject => ({
    openapi: "3.0.0",
    paths: {
      "/api/hubs/{hub}/:send": {
        post: {
          operationId: "WebPubSub_SendToAll",
          parameters: [
            { $ref: "#/components/parameters/Hub" },
            { name: "excluded", in: "query", required: false, schema: { type: "array", items: { type: "string" } } },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: { type: "string", format: "binary" } },
              "text/plain": { schema: { type: "string", format: "binary" } },
            },
          },
          responses: { "202": { description: "Accepted" }, default: { description: "Error" } },
        },
      },
    },
    components: {
      parameters: { Hub: { name: "hub", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]+$" } } },
    },
  });
  type SendOp = { parameters: JsonObject[]; requestBody: { content: JsonObject }; responses: JsonObject };
  const sendOp = (doc: JsonObject): SendOp =>
    asObject(asObject(doc["paths"])["/api/hubs/{hub}/:send"])["post"] as SendOp;

  it("finds no difference between equivalent documents (with $refs resolved)", () => {
    assert.deepEqual(compareDocuments(swagger, openApi3()).map(describeDifference), []);
  });

  it("reports a comma-separated array where the official one is repeated (multi)", () => {
    const doc = openApi3();
    const excluded = sendOp(doc).parameters[1];
    assert.ok(excluded);
    excluded["explode"] = false;
    assert.deepEqual(compareDocuments(swagger, doc).map(describeDifference), [
      'WebPubSub_SendToAll: parameter query:excluded array style: official "multi", emitted "csv"',
    ]);
  });

  it("reports a changed pattern, a missing content type and a wrong status code, naming the operation", () => {
    const doc = openApi3();
    asObject(asObject(asObject(doc["components"])["parameters"])["Hub"])["schema"] = { type: "string", pattern: "^x$" };
    delete sendOp(doc).requestBody.content["text/plain"];
    sendOp(doc).responses = { "200": { description: "OK" }, default: { description: "Error" } };
    assert.deepEqual(compareDocuments(swagger, doc).map(describeDifference), [
      'WebPubSub_SendToAll: parameter path:hub pattern: official "^[a-z]+$", emitted "^x$"',
      'WebPubSub_SendToAll: request content types: official ["application/json","text/plain"], emitted ["application/json"]',
      'WebPubSub_SendToAll: success status codes: official ["202"], emitted ["200"]',
    ]);
  });

  it("reports an operation that exists on one side only", () => {
    const doc = openApi3();
    asObject(asObject(doc["paths"])["/api/hubs/{hub}/:send"])["post"] = {
      ...sendOp(doc),
      operationId: "WebPubSub_Broadcast",
    };
    assert.deepEqual(compareDocuments(swagger, doc).map(describeDifference), [
      'WebPubSub_Broadcast: operation: official (absent), emitted "POST /api/hubs/{hub}/:send"',
      'WebPubSub_SendToAll: operation: official "POST /api/hubs/{hub}/:send", emitted (absent)',
    ]);
  });
});

describe("The TypeSpec spec, emitted as OpenAPI 3, conforms to the official swagger", function () {
  before(function () {
    if (!existsSync(referenceDir)) {
      console.log(`    (skipped: official swagger files not found at ${referenceDir})`);
      this.skip();
    }
  });

  it("has an official swagger for every emitted version and the reverse (a one-sided version fails, not skips)", () => {
    assert.deepEqual(
      { emittedOnly: EMITTED_VERSIONS.filter((v) => !OFFICIAL_VERSIONS.includes(v)), officialOnly: OFFICIAL_VERSIONS.filter((v) => !EMITTED_VERSIONS.includes(v)) },
      { emittedOnly: [], officialOnly: [] },
      `spec/openapi and ${referenceDir} must hold the same versions: add the version to spec/main.tsp and run npm run generate, or put the official webpubsub.json in ${referenceDir}/<version>/`,
    );
  });

  it("emits as many operations per version as the reference README's table counts, for every version the table has", function () {
    const readmeFile = path.join(referenceDir, "README.md");
    if (!existsSync(readmeFile)) this.skip();
    const readme = readFileSync(readmeFile, "utf8");
    const header = /^\|\s*operationId\s*\|\s*method\s*\|\s*path\s*\|([^\n]*)$/m.exec(readme);
    const totals = /^\|\s*\*\*total\*\*\s*\|\s*\|\s*\|([^\n]*)$/m.exec(readme);
    assert.ok(header?.[1] && totals?.[1], "no operation table with a totals row in the README");
    const cells = (row: string) => row.split("|").map((cell) => cell.trim()).filter((cell) => cell !== "");
    const columns = cells(header[1]);
    const counts = cells(totals[1]).map(Number);
    assert.equal(columns.length, counts.length);
    assert.ok(columns.length > 0);
    const fromReadme = Object.fromEntries(columns.map((version, i) => [version, counts[i]]));
    const emitted = Object.fromEntries(columns.filter((v) => EMITTED_VERSIONS.includes(v)).map((v) => [v, countOperations(emittedDocument(v))]));
    assert.deepEqual(emitted, fromReadme);
  });

  const differences = new Map<Version, Difference[]>();
  const loadDifferences = (version: Version): Difference[] => {
    const officialFile = path.join(referenceDir, version, "webpubsub.json");
    const emittedFile = path.join(emittedDir, `webpubsub.${version}.json`);
    assert.ok(existsSync(officialFile), `${version}: no official swagger at ${officialFile}`);
    assert.ok(existsSync(emittedFile), `${version}: no emitted document at ${emittedFile} (add the version to spec/ and run npm run generate)`);
    return compareDocuments(readJson(officialFile), readJson(emittedFile));
  };

  for (const version of VERSIONS) {
    describe(`for API version ${version}`, () => {
      const unexpected = (category: Aspect): string[] => {
        const all = differences.get(version);
        assert.ok(all, `documents for ${version} were not loaded`);
        return all
          .filter((d) => d.category === category)
          .filter((d) => isAllowed(version, d, ALLOWED_DIFFERENCES) === undefined)
          .map(describeDifference);
      };

      // Loaded in each test, not in a hook, so a one-sided version fails every test by name.
      beforeEach(() => {
        if (!differences.has(version)) differences.set(version, loadDifferences(version));
      });

      it("has the same operations (by operationId)", () => {
        assert.deepEqual(unexpected("operations"), []);
      });
      it("gives every operation the official method and path", () => {
        assert.deepEqual(unexpected("route"), []);
      });
      it("gives every operation the official parameters: name, location, required flag and array style", () => {
        assert.deepEqual(unexpected("parameters"), []);
      });
      it("gives every parameter the official type and constraints (pattern, bounds, lengths, enum, default)", () => {
        assert.deepEqual(unexpected("constraints"), []);
      });
      it("accepts the official request content types and body schemas", () => {
        assert.deepEqual(unexpected("requestBody"), []);
      });
      it("returns the official success status codes, including 404 as an answer on HEAD existence checks", () => {
        assert.deepEqual(unexpected("statusCodes"), []);
      });
      it("returns the official response bodies", () => {
        assert.deepEqual(unexpected("responseBodies"), []);
      });
      it("describes errors as officially: ErrorDetail body and x-ms-error-code header (no body on HEAD)", () => {
        assert.deepEqual(unexpected("errors"), []);
      });
    });
  }

  describe("the allow-list of intended differences", () => {
    it("has no entry that matches no actual difference", () => {
      const stale = ALLOWED_DIFFERENCES.filter(
        (entry) =>
          !VERSIONS.some((version) =>
            (differences.get(version) ?? loadDifferences(version)).some(
              (d) => isAllowed(version, d, [entry]) !== undefined,
            ),
          ),
      );
      assert.deepEqual(
        stale.map((entry) => `${entry.operationId}: ${entry.aspect}`),
        [],
      );
    });
  });
});
