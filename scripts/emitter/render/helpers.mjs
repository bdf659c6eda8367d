// isUnexpected.ts and paginateHelper.ts. The runtime parts are fixed text;
// only the tables and overloads come from the spec.
import { importTypes, unexpectedResponses } from "./common.mjs";

/** @typedef {import("../collect.mjs").ClientModel} ClientModel */

/**
 * isUnexpected.ts: one overload per operation narrowing to its error
 * responses, backed by a `"METHOD /template"` → expected statuses map.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderIsUnexpected(model) {
  const all = model.operations.flatMap((op) => op.responses.map((r) => r.name));
  const unexpected = model.operations.flatMap((op) => unexpectedResponses(op).map((r) => r.name));
  const map = model.operations
    .map((op) => {
      const codes = op.responses.filter((r) => r.expected).map((r) => JSON.stringify(r.statusKey));
      return `${JSON.stringify(`${op.verb.toUpperCase()} ${op.path}`)}: [${codes.join(", ")}],\n`;
    })
    .join("");
  // TS picks the first overload whose parameter accepts the argument, so an
  // operation declaring more statuses (a narrower catch-all) must come before
  // one whose catch-all would also accept its responses.
  const rank = (/** @type {import("../collect.mjs").Operation} */ op) => {
    const literal = op.responses.filter((r) => r.statusKey !== "Default").length;
    return -2 * literal + (op.responses.some((r) => r.statusKey === "Default") ? 1 : 0);
  };
  const ordered = model.operations.map((op, i) => ({ op, i })).sort((a, b) => rank(a.op) - rank(b.op) || a.i - b.i);
  const overloads = ordered
    .map(({ op }) => {
      const union = op.responses.map((r) => r.name).join(" | ") || "never";
      const bad = unexpectedResponses(op).map((r) => r.name).join(" | ") || "never";
      return `export function isUnexpected(response: ${union}): response is ${bad};\n`;
    })
    .join("");
  return `${importTypes(all, "./responses.js")}
/** Expected (non-error) status codes per \`"METHOD /path/template"\`. */
const responseMap: Record<string, string[]> = {
${map}};

/**
 * Whether a response has a status its operation does not declare as a
 * success: error responses and anything undeclared.
 */
${overloads}export function isUnexpected(response: ${all.join(" | ") || "never"}): response is ${unexpected.join(" | ") || "never"} {
  const { method, url } = response.request;
  const expected = expectedStatuses(method.toUpperCase(), new URL(url).pathname);
  if (expected === undefined) return true;
  return !expected.includes(response.status) && !expected.includes(\`\${response.status.charAt(0)}XX\`);
}

/** Expected statuses of the route template that best matches a concrete path. */
function expectedStatuses(method: string, path: string): string[] | undefined {
  const pathParts = path.split("/");
  let best: string[] | undefined;
  let bestScore = -1;
  for (const [key, statuses] of Object.entries(responseMap)) {
    const space = key.indexOf(" ");
    if (key.slice(0, space) !== method) continue;
    const score = matchScore(key.slice(space + 1).split("/"), pathParts);
    if (score > bestScore) {
      best = statuses;
      bestScore = score;
    }
  }
  return best;
}

/**
 * How specifically \`template\` matches the end of \`path\` (count of literal
 * characters), or -1. Leading extra path segments are the endpoint's base path.
 */
function matchScore(template: string[], path: string[]): number {
  const offset = path.length - template.length;
  if (offset < 0) return -1;
  let score = 0;
  // template[0] is the empty text before the leading "/".
  for (let i = 1; i < template.length; i++) {
    const segment = template[i] ?? "";
    const actual = path[i + offset] ?? "";
    const literal = segment.replace(/\\{[^}]*\\}/g, "");
    if (literal === segment ? segment !== actual : !segmentPattern(segment).test(actual)) return -1;
    score += literal.length + 1;
  }
  return score;
}

/** \`{id}:feed\` → /^[^/]+:feed$/: parameters match any non-empty text, the rest literally. */
function segmentPattern(segment: string): RegExp {
  const literals = segment.split(/\\{[^}]*\\}/).map((s) => s.replace(/[.*+?^$()|[\\]\\\\]/g, "\\\\$&"));
  return new RegExp(\`^\${literals.join("[^/]+")}$\`);
}
`;
}

/**
 * The `infer` pattern matching a response whose body holds the page items
 * at `path`, e.g. `{ body: { value?: infer TPage } }`.
 * @param {string[]} path
 */
function itemsPattern(path) {
  let inner = "infer TPage";
  for (const key of [...path].reverse()) inner = `{ ${JSON.stringify(key)}?: ${inner} }`;
  return `{ body: ${inner} }`;
}

/**
 * paginateHelper.ts: `paginate(client, initialResponse)` following `nextLink`.
 * Self-contained: defines the few core-paging interfaces it needs.
 * @param {ClientModel} model
 * @returns {string}
 */
export function renderPaginateHelper(model) {
  /** @type {Map<string, { items: string[], nextLink: string[] | undefined }>} */
  const shapes = new Map();
  for (const op of model.operations) if (op.paging) shapes.set(JSON.stringify(op.paging), op.paging);
  const candidates = [...shapes.values()].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const table = candidates
    .map((c) => `{ items: ${JSON.stringify(c.items)}${c.nextLink ? `, nextLink: ${JSON.stringify(c.nextLink)}` : ""} },\n`)
    .join("");
  let paginateReturn = "unknown";
  for (const c of [...candidates].reverse()) {
    paginateReturn = `TResult extends ${itemsPattern(c.items)}\n? GetArrayType<TPage>\n: ${paginateReturn}`;
  }
  return `import type { Client, PathUncheckedResponse } from "@azure-rest/core-client";
import { createRestError } from "@azure-rest/core-client";

/** Settings for iterating page by page. */
export interface PageSettings {
  /** The \`continuationToken\` of an earlier page: resume after that page. */
  continuationToken?: string;
}

/** One page of items; \`continuationToken\` resumes after it (absent on the last page). */
export type ContinuablePage<TElement> = TElement[] & { continuationToken?: string };

/** An async iterator over all items that can also iterate page by page. */
export interface PagedAsyncIterableIterator<
  TElement,
  TPage = ContinuablePage<TElement>,
  TPageSettings = PageSettings,
> {
  /** The next item, fetching the next page when needed. */
  next(): Promise<IteratorResult<TElement>>;
  /** Makes the iterator usable with \`for await\`. */
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<TElement, TPage, TPageSettings>;
  /** Iterate pages instead of items, optionally resuming from a continuation token. */
  byPage(settings?: TPageSettings): AsyncIterableIterator<TPage>;
}

/** Element type of an array type. */
export type GetArrayType<T> = T extends Array<infer TData> ? TData : never;

/** Item type of a paged response, from where the spec puts the page items. */
export type PaginateReturn<TResult> = ${paginateReturn};

/** Custom page fetcher: \`pageLink\` is undefined for the first page. */
export type GetPage<TPage> = (
  pageLink: string | undefined,
) => Promise<{ page: TPage; nextPageLink?: string | undefined }>;

/** Options of {@link paginate}. */
export interface PagingOptions<TResponse> {
  /** Replaces the built-in page fetching. */
  customGetPage?: GetPage<PaginateReturn<TResponse>[]>;
}

/** Where paged operations of this service put their items and next link. */
const pagingProperties: Array<{ items: string[]; nextLink?: string[] }> = [
${table}];

/**
 * Iterate every item of a paged operation, starting from its first response
 * and following each page's next link (absolute URL) with GET.
 * @param client - The client that made the first request.
 * @param initialResponse - The response of the first request.
 * @param options - Optional custom page fetching.
 */
export function paginate<TResponse extends PathUncheckedResponse>(
  client: Client,
  initialResponse: TResponse,
  options: PagingOptions<TResponse> = {},
): PagedAsyncIterableIterator<PaginateReturn<TResponse>> {
  type TElement = PaginateReturn<TResponse>;
  const getPage: GetPage<TElement[]> =
    options.customGetPage ??
    (async (pageLink) => {
      const response = pageLink === undefined ? initialResponse : await client.pathUnchecked(pageLink).get();
      checkPagingRequest(response);
      const { items, nextLink } = readPage(response.body);
      return { page: items as TElement[], nextPageLink: nextLink };
    });

  async function* pages(continuationToken?: string): AsyncGenerator<ContinuablePage<TElement>> {
    let link = continuationToken;
    do {
      const { page, nextPageLink } = await getPage(link);
      // Non-enumerable, so a page still compares equal to a plain array.
      Object.defineProperty(page, "continuationToken", { value: nextPageLink || undefined, configurable: true });
      yield page;
      link = nextPageLink || undefined;
    } while (link !== undefined);
  }

  async function* items(): AsyncGenerator<TElement> {
    for await (const page of pages()) yield* page;
  }

  const iterator = items();
  return {
    next: () => iterator.next(),
    [Symbol.asyncIterator]() {
      return this;
    },
    byPage: (settings?: PageSettings) => pages(settings?.continuationToken),
  };
}

/** Follow a property path through a parsed JSON body. */
function get(body: unknown, path: string[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Items and next link of one page, using the first known layout that fits. */
function readPage(body: unknown): { items: unknown[]; nextLink: string | undefined } {
  for (const layout of pagingProperties) {
    const items = get(body, layout.items);
    if (!Array.isArray(items)) continue;
    const nextLink = layout.nextLink ? get(body, layout.nextLink) : undefined;
    if (nextLink !== undefined && nextLink !== null && typeof nextLink !== "string") {
      throw new Error(\`Couldn't paginate response: next link \${JSON.stringify(nextLink)} is not a string\`);
    }
    return { items, nextLink: nextLink ?? undefined };
  }
  throw new Error("Couldn't paginate response: the body has no array of page items");
}

/** Paging stops with a RestError on any non-2xx page. */
function checkPagingRequest(response: PathUncheckedResponse): void {
  if (!/^2\\d\\d$/.test(response.status)) {
    throw createRestError(\`Pagination failed with unexpected statusCode \${response.status}\`, response);
  }
}
`;
}
