import type { ResultDocument } from '../result/schema';
import type { CompareResponse, ErrorBody, Published, ResultRef, VersionList, VersionPublished } from './contract';
import { galleryParams, type GalleryFacets, type GalleryPage, type GalleryQuery } from './gallery';
import { validateDocument, validateResult, type AnyDocument } from '../result/validate';

/** A failed API call: `status` 0 means the network could not be reached (offline, server down). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail || code, options);
    this.name = 'ApiError';
  }
  get offline(): boolean {
    return this.status === 0;
  }
}

export type { GalleryFacets, GalleryItem, GalleryPage, GalleryQuery } from './gallery';

export interface ApiClient {
  publish(doc: AnyDocument): Promise<Published>;
  /** A new version of result `id`, with the owner token `publish` returned. */
  addVersion(id: string, token: string, doc: AnyDocument): Promise<VersionPublished>;
  result(id: string, version?: number): Promise<ResultDocument>;
  /** Either kind of published document: a layer result or a whole network's profile. */
  document(id: string, version?: number): Promise<AnyDocument>;
  versions(id: string): Promise<VersionList>;
  gallery(query?: GalleryQuery): Promise<GalleryPage>;
  galleryFacets(query?: GalleryQuery): Promise<GalleryFacets>;
  compare(a: ResultRef, b: ResultRef): Promise<CompareResponse>;
}

/** Ids are opaque to the client but must stay one path segment. */
function seg(id: string): string {
  return encodeURIComponent(id);
}

/**
 * A small typed client of the Kleinscope HTTP API. `base` is the origin ('' = same origin). Documents read
 * from the server are validated against the shared schema, since a page must not render a malformed one.
 */
export function createClient(base = '', fetchFn: typeof fetch = (...a) => fetch(...a)): ApiClient {
  async function call<T>(path: string, init?: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetchFn(base + '/api' + path, init);
    } catch (e) {
      // The cause (a refused connection, a timeout) is what a command line reports.
      throw new ApiError(0, 'offline', 'the server could not be reached; you may be offline', { cause: e });
    }
    let body: unknown = null;
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      if (res.ok) throw new ApiError(res.status, 'bad_response', 'the server answered with something other than JSON');
    }
    if (!res.ok) {
      // Checked field by field: a proxy or an old server may answer with another shape.
      const e = (body ?? {}) as { [K in keyof ErrorBody]?: unknown };
      const code = typeof e.error === 'string' ? e.error : `http_${res.status}`;
      const detail = typeof e.detail === 'string' ? e.detail : `${res.status} ${res.statusText}`.trim();
      throw new ApiError(res.status, code, detail);
    }
    return body as T;
  }

  function checked(value: unknown): ResultDocument {
    const v = validateResult(value);
    if (!v.ok)
      throw new ApiError(200, 'invalid_document', `the stored document is invalid at ${v.field}: ${v.message}`);
    return v.value;
  }

  return {
    publish: (doc) =>
      call<Published>('/results', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      }),
    addVersion: (id, token, doc) =>
      call<VersionPublished>(`/results/${seg(id)}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(doc),
      }),
    result: async (id, version) =>
      checked(await call<unknown>(version === undefined ? `/results/${seg(id)}` : `/results/${seg(id)}/v/${version}`)),
    document: async (id, version) => {
      const value = await call<unknown>(
        version === undefined ? `/results/${seg(id)}` : `/results/${seg(id)}/v/${version}`,
      );
      const v = validateDocument(value);
      if (!v.ok)
        throw new ApiError(200, 'invalid_document', `the stored document is invalid at ${v.field}: ${v.message}`);
      return v.value;
    },
    versions: (id) => call<VersionList>(`/results/${seg(id)}/versions`),
    gallery: (query = {}) => {
      const qs = galleryParams(query).toString();
      return call<GalleryPage>('/gallery' + (qs ? `?${qs}` : ''));
    },
    galleryFacets: (query = {}) => {
      const qs = galleryParams({ ...query, cursor: undefined, limit: undefined, sort: undefined }).toString();
      return call<GalleryFacets>('/gallery/facets' + (qs ? `?${qs}` : ''));
    },
    compare: (a, b) => call<CompareResponse>(`/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`),
  };
}

/** What the page shows for a failed call. */
/**
 * Whether trying the same request again can help: not for a missing or withdrawn result, or a request the server
 * refused as wrong (4xx), except a timeout or a rate limit.
 */
export function isRetryable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.offline || e.status >= 500 || e.status === 408 || e.status === 429;
}

/**
 * The sentence a page shows for a failed call. `doing` says what failed: reading a result (which the service
 * worker may have kept for offline reading) or publishing one (which always needs the server).
 */
export function describeError(e: unknown, doing: 'read' | 'publish' = 'read'): string {
  if (e instanceof ApiError) {
    if (e.offline && doing === 'publish')
      return 'You are offline: publishing needs the server. Nothing is lost; reconnect and publish again.';
    if (e.offline) return 'You are offline and this page was not saved for offline reading. Reconnect and retry.';
    if (e.status === 404) return `Not found: ${e.detail}`;
    if (e.status === 410) return `This result was withdrawn by its owner. ${e.detail}`;
    return `${e.detail} (${e.code}, HTTP ${e.status})`;
  }
  return e instanceof Error ? e.message : String(e);
}
