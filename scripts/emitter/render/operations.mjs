// parameters.ts and responses.ts: per-operation request and response shapes.
import { docComment, propertyKey } from "../names.mjs";
import { importTypes } from "./common.mjs";

/** @typedef {import("../collect.mjs").ClientModel} ClientModel */
/** @typedef {import("../collect.mjs").Param} Param */

/** @param {Param} p */
function member(p, type = p.type) {
  return `${docComment(p.doc)}${propertyKey(p.name)}${p.optional ? "?" : ""}: ${type};\n`;
}

/**
 * parameters.ts: `<Op>QueryParam`, `<Op>HeaderParam`, `<Op>BodyParam`,
 * `<Op>MediaTypesParam` and `<Op>Parameters = ... & RequestParameters`.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderParameters(model) {
  let out = "";
  let usesHeaders = false;
  for (const op of model.operations) {
    /** @type {string[]} */
    const parts = [];
    if (op.query.length) {
      for (const q of op.query.filter((q) => q.wrapper)) {
        out += docComment(`Wrapper for the exploded query parameter \`${q.name}\`: sent once per value (\`${q.name}=a&${q.name}=b\`).`);
        out += `export interface ${q.wrapper} {\n/** The values. */\nvalue: ${q.type};\n/** Send each value as its own parameter. */\nexplode: true;\n/** Form style, the only one defined for query strings. */\nstyle?: "form";\n}\n\n`;
      }
      out += `export interface ${op.name}QueryParamProperties {\n${op.query.map((q) => member(q, q.wrapper ?? q.type)).join("")}}\n\n`;
      const opt = op.query.every((q) => q.optional) ? "?" : "";
      out += `export interface ${op.name}QueryParam {\nqueryParameters${opt}: ${op.name}QueryParamProperties;\n}\n\n`;
      parts.push(`${op.name}QueryParam`);
    }
    if (op.headers.length) {
      usesHeaders = true;
      out += `export interface ${op.name}Headers {\n${op.headers.map((h) => member(h)).join("")}}\n\n`;
      const opt = op.headers.every((h) => h.optional) ? "?" : "";
      out += `export interface ${op.name}HeaderParam {\nheaders${opt}: RawHttpHeadersInput & ${op.name}Headers;\n}\n\n`;
      parts.push(`${op.name}HeaderParam`);
    }
    if (op.contentTypes.length) {
      const opt = op.contentTypeOptional ? "?" : "";
      const types = op.contentTypes.map((ct) => JSON.stringify(ct)).join(" | ");
      out += `export interface ${op.name}MediaTypesParam {\n/** Content type of the request body. */\ncontentType${opt}: ${types};\n}\n\n`;
      parts.push(`${op.name}MediaTypesParam`);
    }
    if (op.body) {
      const b = op.body;
      out += `export interface ${op.name}BodyParam {\n${docComment(b.doc ?? "The request body.")}body${b.optional ? "?" : ""}: ${b.type};\n}\n\n`;
      parts.push(`${op.name}BodyParam`);
    }
    out += `export type ${op.name}Parameters = ${[...parts, "RequestParameters"].join(" & ")};\n\n`;
  }
  const imports =
    (usesHeaders ? importTypes(["RawHttpHeadersInput"], "@azure/core-rest-pipeline") : "") +
    importTypes(["RequestParameters"], "@azure-rest/core-client") +
    importTypes(model.parameterRefs, "./models.js");
  return `${imports}\n${out}`;
}

/**
 * responses.ts: `<Op><Status>Response extends HttpResponse` per status code,
 * `<Op>DefaultResponse` for the catch-all, with typed headers and bodies.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderResponses(model) {
  let out = "";
  let usesHeaders = false;
  for (const op of model.operations) {
    for (const r of op.responses) {
      const base = r.name.replace(/Response$/, "");
      let headers = "";
      if (r.headers.length) {
        usesHeaders = true;
        out += `export interface ${base}Headers {\n${r.headers.map((h) => member(h)).join("")}}\n\n`;
        headers = `headers: RawHttpHeaders & ${base}Headers;\n`;
      }
      out += docComment(r.doc);
      out += `export interface ${r.name} extends HttpResponse {\nstatus: ${r.status};\n`;
      if (r.body) out += `body: ${r.body};\n`;
      out += `${headers}}\n\n`;
    }
  }
  const imports =
    (usesHeaders ? importTypes(["RawHttpHeaders"], "@azure/core-rest-pipeline") : "") +
    importTypes(["HttpResponse"], "@azure-rest/core-client") +
    importTypes(model.responseRefs, "./outputModels.js");
  const statusCode = /HttpStatusCode/.test(out)
    ? `type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";\n\n` +
      `/** Any HTTP status code, as core-client reports it (a three-digit string). */\n` +
      `export type HttpStatusCode = \`\${1 | 2 | 3 | 4 | 5}\${Digit}\${Digit}\`;\n\n`
    : "";
  return `${imports}\n${statusCode}${out}`;
}

/**
 * models.ts / outputModels.ts: named models, enums and unions.
 * @param {{ name: string, text: string }[]} decls
 * @returns {string}
 */
export function renderModels(decls) {
  return decls.length ? decls.map((d) => d.text).join("\n") : "export {};\n";
}
