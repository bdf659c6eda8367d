// Naming and doc-comment helpers shared by the collector and the renderers.

/**
 * Split a name into words at case changes and non-alphanumerics.
 * @param {string} name
 * @returns {string[]}
 */
function words(name) {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/**
 * `sendToAll` → `SendToAll`, `api-version` → `ApiVersion`. Keeps inner capitals.
 * @param {string} name
 * @returns {string}
 */
export function pascalCase(name) {
  return words(name)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/**
 * `WebPubSubServiceClient` → `webPubSubServiceClient`.
 * @param {string} name
 * @returns {string}
 */
export function camelCase(name) {
  const p = pascalCase(name);
  return p ? p[0].toLowerCase() + p.slice(1) : p;
}

/**
 * Property key as written in a TS interface: bare when it is an identifier.
 * @param {string} name
 * @returns {string}
 */
export function propertyKey(name) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/**
 * A valid TS parameter identifier for a (path) parameter name.
 * @param {string} name
 * @returns {string}
 */
export function identifier(name) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : camelCase(name) || "param";
}

/**
 * Render a JSDoc block; returns "" when there is nothing to say.
 * `*\/` is broken so a doc string can never end the comment early.
 * @param {...(string | undefined)} paragraphs
 * @returns {string}
 */
export function docComment(...paragraphs) {
  const text = paragraphs
    .flatMap((p) => (p !== undefined && p.trim() !== "" ? [p.trim()] : []))
    .join("\n\n")
    .replace(/\*\//g, "*\\/");
  if (!text) return "";
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd());
  if (lines.length === 1) return `/** ${lines[0]} */\n`;
  return `/**\n${lines.map((l) => (l ? ` * ${l}` : " *")).join("\n")}\n */\n`;
}

/**
 * Escape TSDoc-significant braces (`{hub}` would read as an inline tag).
 * @param {string} text
 * @returns {string}
 */
export function escapeTsDoc(text) {
  return text.replace(/[{}]/g, (c) => `\\${c}`);
}
