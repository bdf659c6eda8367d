// TypeSpec type → TypeScript type text, following the RLC split between input
// shapes (models.ts) and `...Output` shapes (outputModels.ts).
import {
  getDoc,
  getFriendlyName,
  getLifecycleVisibilityEnum,
  getSummary,
  getVisibilityForClass,
  isArrayModelType,
  isTemplateInstance,
  resolveEncodedName,
} from "@typespec/compiler";
import { isMetadata } from "@typespec/http";
import { docComment, pascalCase, propertyKey } from "./names.mjs";

/** @typedef {import("@typespec/compiler").Program} Program */
/** @typedef {import("@typespec/compiler").Type} Type */
/** @typedef {import("@typespec/compiler").Model} Model */
/** @typedef {"input" | "output"} Usage */

const NUMERIC = new Set([
  "numeric", "integer", "float", "decimal", "decimal128", "safeint",
  "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8",
  "float32", "float64",
]);

/** The TS type RLC uses for raw binary request bodies. */
export const BINARY_INPUT =
  "string | Uint8Array | ReadableStream<Uint8Array> | NodeJS.ReadableStream";

/**
 * Documentation of a type: `@doc`/doc comment, else `@summary`.
 * @param {Program} program
 * @param {Type} type
 * @returns {string | undefined}
 */
export function docOf(program, type) {
  return getDoc(program, type) ?? getSummary(program, type);
}

/**
 * The std scalar a (possibly user-derived) scalar is based on.
 * @param {Program} program
 * @param {import("@typespec/compiler").Scalar} scalar
 * @returns {string | undefined}
 */
export function stdScalarName(program, scalar) {
  /** @type {import("@typespec/compiler").Scalar | undefined} */
  let s = scalar;
  while (s && !program.checker.isStdType(s)) s = s.baseScalar;
  return s?.name;
}

/**
 * Creates a mapper that renders TypeSpec types as TS type text and records
 * every named model/enum/union it meets so they can be declared later.
 * @param {Program} program
 */
export function createTypeMapper(program) {
  /** @type {Map<Type, string>} base (input) name per named type */
  const names = new Map();
  /** @type {Map<string, Type>} */
  const taken = new Map();
  /** @type {Record<Usage, Map<string, Type>>} declarations still to render, by final name */
  const decls = { input: new Map(), output: new Map() };
  const lifecycle = getLifecycleVisibilityEnum(program);
  const writable = ["Create", "Update"].map((m) => lifecycle.members.get(m));

  /** @param {Type & { name?: string | symbol }} type */
  function baseName(type) {
    const known = names.get(type);
    if (known) return known;
    let name = (type.kind === "Model" || type.kind === "Union" ? getFriendlyName(program, type) : undefined) ?? String(type.name);
    if (type.kind === "Model" && isTemplateInstance(type) && !getFriendlyName(program, type)) {
      // Page<Owner> → PageOwner, so instances of one template don't clash.
      const args = type.templateMapper?.args ?? [];
      name += args.map((a) => ("name" in a && typeof a.name === "string" ? pascalCase(a.name) : "")).join("");
    }
    name = pascalCase(name);
    let unique = name;
    for (let i = 2; taken.has(unique) && taken.get(unique) !== type; i++) unique = `${name}${i}`;
    taken.set(unique, type);
    names.set(type, unique);
    return unique;
  }

  /**
   * Reference a named type, registering its declaration.
   * @param {Type} type @param {Usage} usage @param {Set<string>} refs
   */
  function ref(type, usage, refs) {
    const name = baseName(type) + (usage === "output" ? "Output" : "");
    if (!decls[usage].has(name)) decls[usage].set(name, type);
    refs.add(name);
    return name;
  }

  /** @param {import("@typespec/compiler").ModelProperty} prop */
  function isReadOnly(prop) {
    const vis = getVisibilityForClass(program, prop, lifecycle);
    return !writable.some((m) => m && vis.has(m));
  }

  /**
   * Text of a scalar; dates are accepted as `Date` on input (core-client
   * serializes them with toISOString) but always arrive as strings.
   * @param {import("@typespec/compiler").Scalar} scalar @param {Usage} usage
   */
  function scalar(scalar, usage) {
    const std = stdScalarName(program, scalar) ?? "string";
    if (NUMERIC.has(std)) return "number";
    if (std === "boolean") return "boolean";
    if (std === "utcDateTime" || std === "offsetDateTime") return usage === "input" ? "Date | string" : "string";
    return "string"; // string, url, bytes (base64 in JSON), plainDate, duration, ...
  }

  /**
   * @param {import("@typespec/compiler").Union} union @param {Usage} usage @param {Set<string>} refs
   * @returns {string}
   */
  function unionText(union, usage, refs) {
    const variants = flatVariants(union);
    // An open union ("a" | "b" | string) is just string to TS.
    const isString = (/** @type {Type} */ t) => t.kind === "Scalar" && stdScalarName(program, t) === "string";
    if (variants.some(isString) && variants.every((t) => t.kind === "String" || isString(t))) return "string";
    // Dedupe, e.g. `Date | string` next to `string`; only scalar text is known to be a flat union.
    const parts = variants.flatMap((t) => {
      const text = render(t, usage, refs);
      return t.kind === "Scalar" ? text.split(" | ") : [text];
    });
    return [...new Set(parts)].join(" | ");
  }

  /**
   * Variants of a union, with nested anonymous unions flattened.
   * @param {import("@typespec/compiler").Union} union
   * @returns {Type[]}
   */
  function flatVariants(union) {
    return [...union.variants.values()].flatMap((v) =>
      v.type.kind === "Union" && !v.type.name ? flatVariants(v.type) : [v.type],
    );
  }

  /**
   * Property list of a model body, without HTTP metadata; input drops read-only ones.
   * @param {Model} model @param {Usage} usage @param {Set<string>} refs
   */
  function properties(model, usage, refs) {
    let out = "";
    for (const prop of model.properties.values()) {
      if (isMetadata(program, prop)) continue;
      if (usage === "input" && isReadOnly(prop)) continue;
      const key = propertyKey(resolveEncodedName(program, prop, "application/json"));
      out += docComment(docOf(program, prop));
      out += `${key}${prop.optional ? "?" : ""}: ${render(prop.type, usage, refs)};\n`;
    }
    return out;
  }

  /**
   * TS type text for a TypeSpec type.
   * @param {Type} type @param {Usage} usage @param {Set<string>} refs names referenced
   * @returns {string}
   */
  function render(type, usage, refs) {
    switch (type.kind) {
      case "Intrinsic":
        return type.name === "null" ? "null" : type.name === "never" ? "never" : type.name === "void" ? "void" : "unknown";
      case "Scalar":
        return scalar(type, usage);
      case "String":
        return JSON.stringify(type.value);
      case "Number":
        return String(type.value);
      case "Boolean":
        return String(type.value);
      case "StringTemplate":
        return "string";
      case "EnumMember":
        return JSON.stringify(type.value ?? type.name);
      case "UnionVariant":
        return render(type.type, usage, refs);
      case "Tuple":
        return `[${type.values.map((t) => render(t, usage, refs)).join(", ")}]`;
      case "Enum":
        return ref(type, usage, refs);
      case "Union":
        return type.name ? ref(type, usage, refs) : unionText(type, usage, refs);
      case "Model": {
        if (isArrayModelType(program, type)) return `Array<${render(type.indexer.value, usage, refs)}>`;
        if (type.indexer && type.properties.size === 0) return `Record<string, ${render(type.indexer.value, usage, refs)}>`;
        if (type.name) return ref(type, usage, refs);
        const body = properties(type, usage, refs);
        return body ? `{\n${body}}` : "Record<string, never>";
      }
      default:
        return "unknown";
    }
  }

  /**
   * Declaration text of one named type.
   * @param {Type} type @param {string} name @param {Usage} usage @param {Set<string>} refs
   */
  function declaration(type, name, usage, refs) {
    const doc = docOf(program, type);
    if (type.kind === "Model") {
      const base = type.baseModel ? ` extends ${render(type.baseModel, usage, refs)}` : "";
      return `${docComment(doc)}export interface ${name}${base} {\n${properties(type, usage, refs)}}\n`;
    }
    if (type.kind === "Enum") {
      const members = [...type.members.values()];
      const known = members.map((m) => `- \`${JSON.stringify(m.value ?? m.name)}\`${docOf(program, m) ? `: ${docOf(program, m)}` : ""}`);
      const text = members.map((m) => JSON.stringify(m.value ?? m.name)).join(" | ") || "never";
      return `${docComment(doc, `Known values:\n${known.join("\n")}`)}export type ${name} = ${text};\n`;
    }
    if (type.kind === "Union") {
      const literals = [...type.variants.values()].filter((v) => v.type.kind === "String" || v.type.kind === "Number");
      const known = literals.map((v) => `- \`${JSON.stringify(/** @type {any} */ (v.type).value)}\`${docOf(program, v) ? `: ${docOf(program, v)}` : ""}`);
      const knownDoc = known.length ? `Known values:\n${known.join("\n")}` : undefined;
      return `${docComment(doc, knownDoc)}export type ${name} = ${unionText(type, usage, refs)};\n`;
    }
    return `export type ${name} = unknown;\n`;
  }

  /**
   * Render every declaration registered for a usage (including the ones
   * discovered while rendering), sorted by name.
   * @param {Usage} usage
   * @returns {{ name: string, text: string }[]}
   */
  function declarations(usage) {
    /** @type {Map<string, string>} */
    const done = new Map();
    for (let pending = [...decls[usage]]; pending.length; ) {
      for (const [name, type] of pending) done.set(name, declaration(type, name, usage, new Set()));
      pending = [...decls[usage]].filter(([name]) => !done.has(name));
    }
    return [...done].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, text]) => ({ name, text }));
  }

  return { render, declarations, scalar, isReadOnly };
}
