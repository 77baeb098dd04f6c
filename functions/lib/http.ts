import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../../src/lib/api/contract';

/**
 * A failure the client caused or must know about. Routes throw it; app.onError turns it into the JSON
 * `{error, detail}` body with its status, so no handler can forget the shape.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function errorResponse(c: Context, e: ApiError): Response {
  for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
  return c.json({ error: e.code, detail: e.detail } satisfies ErrorBody, e.status);
}

/** Result ids are 16 characters of lower-case base32; anything else cannot exist, so it is a 404, not a lookup. */
export const ID_PATTERN = /^[a-z2-7]{16}$/;

export function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) throw new ApiError(404, 'not_found', `no result '${id.slice(0, 40)}'`);
  return id;
}

/** A version number from a path or query: a positive decimal integer, nothing else. */
export function parseVersion(raw: string, what = 'version'): number {
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new ApiError(400, 'bad_request', `${what} must be a positive integer, got '${raw.slice(0, 20)}'`);
  }
  return Number(raw);
}

/**
 * Cache-Control of an answer about fixed versions. Their bodies never change, but whether their result is
 * withdrawn may: caches keep the answer about a live result for an hour (then revalidate by etag, which costs no
 * body). A withdrawal is final, so an answer about withdrawn results is immutable.
 */
export function pinnedCache(withdrawn: boolean): string {
  return withdrawn ? 'public, max-age=31536000, immutable' : 'public, max-age=3600';
}
