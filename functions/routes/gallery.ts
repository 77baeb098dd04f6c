import { Hono } from 'hono';
import { GalleryQueryError, parseGalleryQuery, type GalleryQuery } from '../../src/lib/api/gallery';
import type { Env } from '../env';
import { ApiError } from '../lib/http';
import { methodNotAllowed } from '../middleware/methods';
import { reads } from '../middleware/rateLimit';
import { D1GalleryIndex } from '../storage/galleryIndex';

function query(url: string): GalleryQuery {
  try {
    return parseGalleryQuery(new URL(url).searchParams);
  } catch (e) {
    if (e instanceof GalleryQueryError) throw new ApiError(400, 'bad_request', e.message);
    throw e;
  }
}

export const gallery = new Hono<{ Bindings: Env }>();

gallery.get('/', reads, async (c) => {
  const page = await new D1GalleryIndex(c.env.GALLERY).page(query(c.req.url));
  // Short-lived: new results appear at the top, but a gallery page may be a few seconds stale.
  c.header('Cache-Control', 'public, max-age=10');
  return c.json(page);
});
gallery.all('/', methodNotAllowed('GET, HEAD'));

gallery.get('/facets', reads, async (c) => {
  const facets = await new D1GalleryIndex(c.env.GALLERY).facets(query(c.req.url));
  c.header('Cache-Control', 'public, max-age=10');
  return c.json(facets);
});
gallery.all('/facets', methodNotAllowed('GET, HEAD'));
