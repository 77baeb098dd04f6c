import { Hono } from 'hono';
import type { Env } from '../env';
import { ApiError } from '../lib/http';
import { methodNotAllowed } from '../middleware/methods';
import { reads } from '../middleware/rateLimit';
import { ResultStore, decodeCursor, encodeCursor } from '../storage/results';

const MAX_LIMIT = 50;
const DEFAULT_LIMIT = 20;

function text(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > 80) throw new ApiError(400, 'bad_request', `${name} is longer than 80 characters`);
  return raw;
}

export const gallery = new Hono<{ Bindings: Env }>();

gallery.get('/', reads, async (c) => {
  const q = c.req.query();
  let limit = DEFAULT_LIMIT;
  if (q.limit !== undefined && q.limit !== '') {
    if (!/^[0-9]{1,4}$/.test(q.limit) || Number(q.limit) < 1) {
      throw new ApiError(
        400,
        'bad_request',
        `limit must be an integer from 1 to ${MAX_LIMIT}, got '${q.limit.slice(0, 20)}'`,
      );
    }
    limit = Math.min(MAX_LIMIT, Number(q.limit));
  }
  const layer = text(q.layer, 'layer');
  if (layer !== undefined && !/^[1-9][0-9]{0,3}$/.test(layer)) {
    throw new ApiError(400, 'bad_request', `layer must be a positive integer, got '${layer}'`);
  }
  const page = await new ResultStore(c.env.RESULTS).gallery({
    after: q.cursor ? decodeCursor(q.cursor) : null,
    limit,
    dataset: text(q.dataset, 'dataset'),
    arch: text(q.arch, 'arch'),
    layer,
  });
  // Short-lived: new results appear at the top, but a gallery page may be a few seconds stale.
  c.header('Cache-Control', 'public, max-age=10');
  return c.json({
    items: page.items,
    nextCursor: page.more && page.lastKey ? encodeCursor(page.lastKey) : null,
  });
});
gallery.all('/', methodNotAllowed('GET, HEAD'));
