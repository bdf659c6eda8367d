// A PagedAsyncIterableIterator over nextLink pages. Unlike @azure/web-pubsub, it is returned
// directly (not inside a Promise) and byPage honours maxPageSize.

/** A member of a group. */
export interface GroupMember {
  /** The connection id. */
  connectionId: string;
  /** The user id, when the connection has one. */
  userId?: string;
}

/** `byPage` settings. */
export interface PageSettings {
  /** Resume from a page's `continuationToken` (the service's nextLink). */
  continuationToken?: string;
  /** Items per page, 1-200. */
  maxPageSize?: number;
}

/** One page: the items, plus the token for the next page (absent on the last page). */
export type Page<T> = T[] & { continuationToken?: string };

/** Iterate items with `for await`, or pages with `byPage()`. Shape-compatible with `@azure/core-paging`. */
export interface PagedAsyncIterableIterator<T, TPage = Page<T>, TSettings = PageSettings> {
  /** The next item, fetching the next page when the current one is used up. */
  next(): Promise<IteratorResult<T>>;
  /** Makes the iterator usable with `for await`. */
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<T, TPage, TSettings>;
  /** Iterates whole pages; `continuationToken` resumes where an earlier page left off. */
  byPage(settings?: TSettings): AsyncIterableIterator<TPage>;
}

/** Fetches one page: the first when `link` is undefined, else the page at `link`. */
export type PageFetcher<T> = (link: string | undefined, maxPageSize: number | undefined) => Promise<{ value: T[]; nextLink?: string | undefined }>;

/** Throws when `link` may not be followed; `fromCaller` says it came from `byPage({ continuationToken })`. */
export type LinkChecker = (link: string, fromCaller: boolean) => void;

/**
 * Builds the iterator. `top` caps the total number of items yielded (the service also applies
 * it); `validatePageSize` checks `byPage({ maxPageSize })` before any request.
 */
export function pagedIterator<T>(
  fetchPage: PageFetcher<T>,
  defaults: { maxPageSize?: number | undefined; top?: number | undefined },
  validatePageSize: (n: number) => void,
  checkLink: LinkChecker = () => {},
): PagedAsyncIterableIterator<T> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<Page<T>> {
    if (settings.maxPageSize !== undefined) validatePageSize(settings.maxPageSize);
    const size = settings.maxPageSize ?? defaults.maxPageSize;
    let link = settings.continuationToken;
    let fromCaller = link !== undefined;
    let remaining = defaults.top ?? Infinity;
    do {
      // Checked just before following, so a page is still yielded when only its nextLink is bad.
      if (link !== undefined) checkLink(link, fromCaller);
      fromCaller = false;
      const result = await fetchPage(link, size);
      const items = result.value.length > remaining ? result.value.slice(0, remaining) : result.value;
      remaining -= items.length;
      link = remaining > 0 ? result.nextLink ?? undefined : undefined;
      const page = items as Page<T>;
      if (link !== undefined) page.continuationToken = link;
      yield page;
    } while (link !== undefined);
  }
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of pages()) yield* page;
  }
  const iterator = items();
  const paged: PagedAsyncIterableIterator<T> = {
    next: () => iterator.next(),
    [Symbol.asyncIterator]: () => paged,
    byPage: (settings?: PageSettings) => pages(settings),
  };
  return paged;
}

/** Applies a page size to a nextLink (the service echoes the first request's maxpagesize otherwise). */
export function withPageSize(link: string, maxPageSize: number | undefined): string {
  if (maxPageSize === undefined) return link;
  // String edit, not URLSearchParams: re-serializing could re-encode the continuation token.
  const param = /([?&])maxpagesize=[^&#]*/i;
  if (param.test(link)) return link.replace(param, `$1maxpagesize=${maxPageSize}`);
  return `${link}${link.includes("?") ? "&" : "?"}maxpagesize=${maxPageSize}`;
}

function decodeFully(segment: string): string {
  // A nextLink may carry a group name encoded more than once (the emulator encodes it once, and
  // a test pins that); compare decoded names so either form matches.
  let out = segment;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(out);
    } catch {
      return out;
    }
    if (decoded === out) return out;
    out = decoded;
  }
  return out;
}

/**
 * True when `link` names the collection `segments` (raw path segments, e.g. `api`, `hubs`, hub,
 * `groups`, group, `connections`) under `base` (the endpoint): same origin, same base path, same
 * decoded segments. The one check between a nextLink or continuationToken and a signed request
 * (issue 13: a foreign link once received the key's JWT, or listed another hub's group).
 */
export function isOwnCollection(link: string, base: string, segments: readonly string[]): boolean {
  let url: URL;
  let root: URL;
  try {
    url = new URL(link);
    root = new URL(base);
  } catch {
    return false;
  }
  if (url.origin !== root.origin || url.username !== "" || url.password !== "") return false;
  const basePath = root.pathname.replace(/\/+$/, "");
  if (!url.pathname.startsWith(`${basePath}/`)) return false;
  const rest = url.pathname.slice(basePath.length + 1).split("/");
  return rest.length === segments.length && rest.every((segment, i) => decodeFully(segment) === decodeFully(segments[i]!));
}
