// Bench only (`npm run bench -- gallery`): the gallery as it was before the D1 index, a walk over R2 `list` pages
// of `gallery/<key>` cards filtered by their custom metadata (up to 50 pages of 1,000 keys per request), kept
// here so the bench can measure the same query on it. The product no longer has this code.

const GALLERY = 'gallery/';

/** @typedef {Record<string, string> | undefined} Meta */
/** @typedef {{ key: string, customMetadata?: Record<string, string> }} Listed */
/**
 * What the scan uses of an R2 bucket (the runtime's R2Bucket; its types are not in this Node project's scope).
 * @typedef {{
 *   list(o: object): Promise<{ objects: Listed[], truncated: boolean, cursor?: string }>,
 *   get(key: string): Promise<{ json(): Promise<unknown> } | null>,
 *   put(key: string, body: string, o: object): Promise<unknown>,
 * }} Bucket
 */

/**
 * @param {Bucket} bucket
 * @param {{after: string | null, limit: number, dataset?: string, arch?: string, layer?: string}} query
 */
async function scan(bucket, query) {
  /** @type {string[]} */
  const keys = [];
  let startAfter = query.after ?? undefined;
  let more = false;
  /** @type {string | undefined} */
  let r2cursor;
  /** @type {string | null} */
  let lastExamined = null;
  let capped = false;
  let listed = 0;
  /** @param {string | undefined} a @param {string} b */
  const same = (a, b) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  /** @param {Meta} m */
  const matches = (m) =>
    (!query.dataset || same(m?.dataset, query.dataset)) &&
    (!query.arch || same(m?.arch, query.arch)) &&
    (!query.layer || m?.layer === query.layer);
  outer: for (let page = 0; page < 50; page++) {
    /** @type {{ objects: Listed[], truncated: boolean, cursor?: string }} */
    const list = await bucket.list({
      prefix: GALLERY,
      limit: 1000,
      include: ['customMetadata'],
      ...(r2cursor ? { cursor: r2cursor } : startAfter ? { startAfter } : {}),
    });
    for (const obj of list.objects) {
      listed++;
      lastExamined = obj.key;
      if (!matches(obj.customMetadata)) continue;
      if (keys.length === query.limit) {
        more = true;
        break outer;
      }
      keys.push(obj.key);
    }
    if (!list.truncated) break;
    r2cursor = list.cursor;
    startAfter = undefined;
    if (page === 49) capped = more = true;
  }
  const bodies = await Promise.all(keys.map((k) => bucket.get(k)));
  const items = [];
  for (const b of bodies) if (b) items.push(await b.json());
  return { items, lastKey: capped ? lastExamined : (keys.at(-1) ?? null), more, listed };
}

export default {
  /** @param {Request} request @param {{RESULTS: Bucket}} env */
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/cards' && request.method === 'POST') {
      // [{key, card, meta}]: the cards as the old publish wrote them.
      const cards = /** @type {Array<{key: string, card: unknown, meta: Record<string, string>}>} */ (
        await request.json()
      );
      await Promise.all(cards.map((c) => env.RESULTS.put(c.key, JSON.stringify(c.card), { customMetadata: c.meta })));
      return new Response('ok');
    }
    if (url.pathname === '/scan') {
      const p = url.searchParams;
      const page = await scan(env.RESULTS, {
        after: p.get('after'),
        limit: Number(p.get('limit') ?? 20),
        dataset: p.get('dataset') ?? undefined,
        arch: p.get('arch') ?? undefined,
        layer: p.get('layer') ?? undefined,
      });
      return Response.json(page);
    }
    return new Response('not found', { status: 404 });
  },
};
