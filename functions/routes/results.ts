import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Published, VersionList, VersionPublished, Withdrawn } from '../../src/lib/api/contract';
import type { Env } from '../env';
import { readDocument, requireJsonType } from '../lib/body';
import { ApiError, checkId, parseVersion, pinnedCache } from '../lib/http';
import { methodNotAllowed } from '../middleware/methods';
import { rateLimit, parseLimit, reads } from '../middleware/rateLimit';
import { storeFor, type Meta } from '../storage/results';
import { withEmergence } from '../storage/versionEmergence';

type Ctx = Context<{ Bindings: Env }>;

/** 415 before anything else unless the body is declared application/json (see requireJsonType). */
const jsonOnly: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  requireJsonType(c.req.raw);
  await next();
};

// Refusals (bad JSON, an invalid document, a missing or wrong token, no such result) take a place in the write
// quota while they run and give it back after, so nobody spends the quota with requests that change nothing.
const writes = rateLimit('write', (env) => parseLimit(env.RATE_LIMIT_WRITES, { count: 30, seconds: 600 }), {
  refundRefused: true,
});
// A POST must say application/json before it reaches the limiter: the only writes another site can make a
// visitor's browser send here (simple POSTs: text/plain, forms; DELETE needs a preflight) are refused with no R2
// access at all, so no page can lock a visitor out.
const jsonWrites = [jsonOnly, writes] as const;

const store = (c: Ctx) => storeFor(c.env);

/** The page a person opens for a result (the SPA's /r/<id> route). */
const pageUrl = (c: Ctx, id: string) => `${new URL(c.req.url).origin}/r/${id}`;

function bearer(c: Ctx): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const m = header.match(/^Bearer\s+([A-Za-z0-9_-]{1,200})\s*$/i);
  if (!m) {
    throw new ApiError(401, 'unauthorized', 'the Authorization header must be "Bearer <token>"', {
      'WWW-Authenticate': 'Bearer error="invalid_request"',
    });
  }
  return m[1]!;
}

const etagOf = (id: string, n: number) => `"${id}.v${n}"`;

/** True when If-None-Match names this etag (weak or strong, or '*'), so the client's copy is current. */
function notModified(c: Ctx, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

function versionList(meta: Meta): VersionList {
  return {
    id: meta.id,
    latest: meta.latest,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    withdrawn: meta.withdrawnAt !== null,
    withdrawnAt: meta.withdrawnAt,
    versions: meta.versions,
  };
}

async function sendVersion(c: Ctx, id: string, n: number, cacheControl: string, meta?: Meta): Promise<Response> {
  const etag = etagOf(id, n);
  // Only an answer about a version that exists may carry its caching headers: a 404 cached as immutable would
  // hide the version once it is published.
  const cacheHeaders = () => {
    c.header('ETag', etag);
    c.header('Cache-Control', cacheControl);
    c.header('X-Kleinscope-Version', String(n));
    if (meta?.withdrawnAt) c.header('X-Kleinscope-Withdrawn', meta.withdrawnAt);
  };
  // A 304 answers without reading the version, so it asks the metadata whether the version exists (versions
  // are 1..latest and never removed); a 200 learns that from the read itself.
  if (notModified(c, etag) && n <= (meta ?? (await store(c).requireMeta(id))).latest) {
    cacheHeaders();
    return c.body(null, 304);
  }
  const v = await store(c).version(id, n);
  if (!v) throw new ApiError(404, 'not_found', `result '${id}' has no version ${n}`);
  cacheHeaders();
  c.header('Content-Type', 'application/json; charset=utf-8');
  return c.body(v.body, 200);
}

export const results = new Hono<{ Bindings: Env }>();

results.post('/', ...jsonWrites, async (c) => {
  const doc = await readDocument(c.req.raw);
  const { id, version, token } = await store(c).create(doc);
  c.header('Location', `/api/results/${id}`);
  c.header('Cache-Control', 'no-store');
  return c.json({ id, version, url: pageUrl(c, id), token } satisfies Published, 201);
});
results.all('/', methodNotAllowed('POST'));

results.get('/:id', reads, async (c) => {
  const id = checkId(c.req.param('id'));
  const meta = await store(c).requireMeta(id);
  // The latest version changes, so caches must revalidate; the etag still saves the body.
  return sendVersion(c, id, meta.latest, 'no-cache', meta);
});
results.delete('/:id', writes, async (c) => {
  const id = checkId(c.req.param('id'));
  const meta = await store(c).withdraw(id, bearer(c));
  return c.json({ id, withdrawn: true, withdrawnAt: meta.withdrawnAt } satisfies Withdrawn);
});
results.all('/:id', methodNotAllowed('GET, HEAD, DELETE'));

results.get('/:id/versions', reads, async (c) => {
  const id = checkId(c.req.param('id'));
  const s = store(c);
  // The list is where a half-finished write shows (a card missing or behind, a version held back by a hole):
  // reading it repairs the index and adopts abandoned versions, so no operator has to.
  try {
    await s.repair(id);
  } catch (e) {
    console.error(e);
  }
  const meta = await withEmergence(s, await s.requireMeta(id));
  c.header('Cache-Control', 'no-cache');
  return c.json(versionList(meta));
});
results.post('/:id/versions', ...jsonWrites, async (c) => {
  const id = checkId(c.req.param('id'));
  const token = bearer(c);
  const s = store(c);
  // Authorize before reading the body, so a stranger cannot make the server parse 8 MB.
  await s.authorizeVersion(id, token);
  const doc = await readDocument(c.req.raw);
  const { version } = await s.addVersion(id, token, doc);
  c.header('Location', `/api/results/${id}/v/${version}`);
  return c.json({ id, version, url: `${pageUrl(c, id)}/v/${version}` } satisfies VersionPublished, 201);
});
results.all('/:id/versions', methodNotAllowed('GET, HEAD, POST'));

results.get('/:id/v/:n', reads, async (c) => {
  const id = checkId(c.req.param('id'));
  const n = parseVersion(c.req.param('n'));
  // The metadata says whether the result was withdrawn, which this answer must carry like the latest one.
  const meta = await store(c).requireMeta(id);
  return sendVersion(c, id, n, pinnedCache(meta.withdrawnAt !== null), meta);
});
results.all('/:id/v/:n', methodNotAllowed('GET, HEAD'));
