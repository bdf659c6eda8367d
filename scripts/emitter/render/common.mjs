// Small text helpers shared by the renderers.

/**
 * `import type { A, B } from "x";` with sorted names, or "" when there are none.
 * @param {Iterable<string>} names
 * @param {string} from
 * @returns {string}
 */
export function importTypes(names, from) {
  const sorted = [...new Set(names)].sort();
  return sorted.length ? `import type { ${sorted.join(", ")} } from "${from}";\n` : "";
}

/**
 * Whether an operation's options argument must be passed.
 * @param {import("../collect.mjs").Operation} op
 */
export function optionsRequired(op) {
  return (
    op.query.some((p) => !p.optional) ||
    op.headers.some((p) => !p.optional) ||
    (op.body !== undefined && !op.body.optional) ||
    (op.contentTypes.length > 0 && !op.contentTypeOptional)
  );
}

/**
 * Responses whose status isUnexpected() reports as unexpected.
 * @param {import("../collect.mjs").Operation} op
 */
export function unexpectedResponses(op) {
  return op.responses.filter((r) => !r.expected);
}
