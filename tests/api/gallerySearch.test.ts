import { describe, expect, test } from 'vitest';
import type { GalleryFacets, GalleryItem, GalleryPage } from '../../src/lib/api/gallery';
import { doc, errorOf, json, publish, request } from './support';

const page = async (query: string): Promise<GalleryPage> => {
  const res = await request(`/api/gallery?${query}`);
  expect(res.status, `${query}: ${res.status}`).toBe(200);
  return (await res.json()) as GalleryPage;
};
const facets = async (query: string): Promise<GalleryFacets> => {
  const res = await request(`/api/gallery/facets?${query}`);
  expect(res.status, query).toBe(200);
  return (await res.json()) as GalleryFacets;
};
const ids = (p: GalleryPage) => p.items.map((i) => i.id);
/** A word no other test publishes, so each test searches only its own results in the shared index. */
const tag = () => `t${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}`;

/** A document whose H1 diagram gives longest/next = ratio (two bars), or one bar, or none. */
function card(
  t: string,
  o: {
    title?: string;
    dataset?: string;
    arch?: string;
    layer?: number;
    ratio?: number | 'one' | 'none';
    description?: string;
  },
) {
  const h1 =
    o.ratio === 'none'
      ? []
      : o.ratio === 'one'
        ? [[0.1, 0.5]]
        : [
            [0, (o.ratio ?? 2) * 0.1],
            [0, 0.1],
          ];
  return doc({
    title: o.title ?? `card ${t}`,
    ...(o.description ? { description: o.description } : {}),
    source: {
      kind: 'training',
      dataset: o.dataset ?? `ds-${t}`,
      ...(o.arch ? { architecture: o.arch } : {}),
      ...(o.layer ? { layer: o.layer } : {}),
    },
    persistence: { complex: 'rips', modulus: 2, threshold: null, maxDim: 1, nPoints: 3, diagrams: [[[0, null]], h1] },
  });
}

describe('GET /api/gallery: search, sort, filters', () => {
  test('full-text search over title, description, dataset and architecture, by word prefix', async () => {
    const t = tag();
    const a = await publish(card(t, { title: `ResNet stem ${t}`, arch: 'resnet-18' }));
    const b = await publish(card(t, { title: `plain ${t}`, description: 'Gabor-like edges after training' }));
    const c = await publish(card(t, { title: `third ${t}`, dataset: `cifar10-${t}`, arch: 'vgg-small' }));
    expect(ids(await page(`q=resnet ${t}`))).toEqual([a.id]);
    expect(ids(await page(`q=resn ${t}`))).toEqual([a.id]);
    expect(ids(await page(`q=GABOR ${t}`))).toEqual([b.id]);
    expect(ids(await page(`q=vgg ${t}`))).toEqual([c.id]);
    expect(ids(await page(`q=cifar10 ${t}`))).toEqual([c.id]);
    expect(new Set(ids(await page(`q=${t}`)))).toEqual(new Set([a.id, b.id, c.id]));
    expect(ids(await page(`q=resnet vgg ${t}`))).toEqual([]);
  });

  test('FTS syntax in q is searched literally or refused with 400, never a 500', async () => {
    const t = tag();
    const { id } = await publish(card(t, { title: `near miss ${t}` }));
    // Quotes, stars, NEAR, boolean words and brackets around a real word still find it.
    for (const q of [
      `"${t}`,
      `${t}*`,
      `NEAR(${t} x)`,
      `(${t}`,
      `${t})) OR`,
      `"near" ${t}`,
      `${t} AND`,
      `-${t}`,
      `${t}:`,
    ]) {
      const res = await request(`/api/gallery?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      const got = ids((await res.json()) as GalleryPage);
      if (!/OR|AND|NEAR/.test(q) || q.startsWith('"near"')) expect(got, q).toEqual([id]);
    }
    // "NEAR" and "OR" are words: a search for them matches only text that has them.
    expect(ids(await page(`q=${encodeURIComponent(`near ${t}`)}`))).toEqual([id]);
    expect(ids(await page(`q=${encodeURIComponent(`NEAR OR ${t}`)}`))).toEqual([]);
    // Nothing to search for, or too much of it: a clear 400.
    for (const q of ['"', '*', '(((', ')', '"*"', 'x'.repeat(201), '😀'.repeat(201)]) {
      const res = await request(`/api/gallery?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(400);
      expect((await errorOf(res)).error).toBe('bad_request');
    }
    // 200 code points is the limit, however many UTF-16 units they take.
    expect((await request(`/api/gallery?q=${encodeURIComponent('é'.repeat(200))}`)).status).toBe(200);
    // Malformed percent-encoding decodes to replacement characters: a literal search, not an error.
    expect((await request(`/api/gallery?q=%E0%A4%A${t}`)).status).toBe(200);
  });

  test('sort by newest, oldest, H1 ratio and title; unknown sorts are 400', async () => {
    const t = tag();
    const made: Record<string, string> = {};
    for (const [title, ratio] of [
      ['Banana', 3],
      ['apple', 'one'],
      ['Cherry', 1.5],
      ['date', 'none'],
    ] as const) {
      await new Promise((r) => setTimeout(r, 3));
      made[title] = (await publish(card(t, { title: `${title} ${t}`, ratio }))).id;
    }
    const order = async (sort: string) => ids(await page(`q=${t}&sort=${sort}`));
    expect(await order('new')).toEqual([made.date, made.Cherry, made.apple, made.Banana]);
    expect(await order('old')).toEqual([made.Banana, made.apple, made.Cherry, made.date]);
    // A single H1 bar has no next bar: it ranks above any ratio; no H1 bar at all ranks last.
    expect(await order('ratio')).toEqual([made.apple, made.Banana, made.Cherry, made.date]);
    expect(await order('title')).toEqual([made.apple, made.Banana, made.Cherry, made.date]);
    const items = (await page(`q=${t}&sort=ratio`)).items;
    expect(
      items.map((i: GalleryItem) => [
        i.ratio === null ? null : Number(i.ratio.toFixed(9)),
        i.h1Bars,
        i.verdict,
        i.kind,
      ]),
    ).toEqual([
      [null, 1, 'unresampled', 'layer'],
      [3, 2, 'unresampled', 'layer'],
      [1.5, 2, 'unresampled', 'layer'],
      [null, 0, 'unresampled', 'layer'],
    ]);
    for (const sort of ['newest', 'RATIO', 'title;drop', 'x'.repeat(300)]) {
      const res = await request(`/api/gallery?sort=${encodeURIComponent(sort)}`);
      expect(res.status, sort).toBe(400);
      expect((await errorOf(res)).detail).toContain('sort must be one of new, old, ratio, title');
    }
  });

  test('kind and verdict filters; bad values are 400', async () => {
    const t = tag();
    const { id } = await publish(card(t, {}));
    expect(ids(await page(`q=${t}&kind=layer&verdict=unresampled`))).toEqual([id]);
    expect(ids(await page(`q=${t}&kind=profile`))).toEqual([]);
    expect(ids(await page(`q=${t}&verdict=circle`))).toEqual([]);
    for (const q of ['kind=layers', 'verdict=yes', 'layer=0', 'layer=1.5', 'layer=99999999999999999']) {
      expect((await request(`/api/gallery?${q}`)).status, q).toBe(400);
    }
  });

  test('whatever the schema lets a result carry can be filtered: 41 emoji, layer 12345', async () => {
    const t = tag();
    const emoji = '🧠'.repeat(41); // 41 code points, 82 UTF-16 units
    const { id } = await publish(card(t, { dataset: emoji, layer: 12_345 }));
    expect(ids(await page(`dataset=${encodeURIComponent(emoji)}&q=${t}`))).toEqual([id]);
    expect(ids(await page(`layer=12345&q=${t}`))).toEqual([id]);
    expect((await request(`/api/gallery?dataset=${encodeURIComponent('🧠'.repeat(81))}`)).status).toBe(400);
  });

  test('tampered cursors are 400', async () => {
    const t = tag();
    for (let i = 0; i < 3; i++) await publish(card(t, {}));
    const first = await page(`q=${t}&limit=1`);
    expect(first.nextCursor).toBeTruthy();
    const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const bad = [
      `${first.nextCursor}x`.replace(/.$/, '!'),
      first.nextCursor!.slice(0, -3),
      b64(['new', 'not a number', 'aaaaaaaaaaaaaaaa']),
      b64(['new', 1, "x' OR 1=1 --"]),
      b64(['title', 1, 'aaaaaaaaaaaaaaaa']),
      b64({ sort: 'new' }),
      'A'.repeat(2000),
    ];
    for (const cursor of bad) {
      const res = await request(`/api/gallery?q=${t}&limit=1&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect((await errorOf(res)).error).toBe('bad_request');
    }
    // A cursor made for one sort is refused by another.
    expect((await request(`/api/gallery?q=${t}&sort=title&cursor=${first.nextCursor}`)).status).toBe(400);
  });

  test('keyset pages neither repeat nor skip while others publish', async () => {
    const t = tag();
    const before: string[] = [];
    for (let i = 0; i < 24; i++) before.push((await publish(card(t, { title: `${i % 5} ${t} ${i}` }))).id);
    for (const sort of ['new', 'old', 'title', 'ratio']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        // Between pages, others publish results that match the same search.
        const writers = Promise.all([publish(card(t, { title: `${round} ${t} late` })), publish(card(t, {}))]);
        const p: GalleryPage = await page(`q=${t}&sort=${sort}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        await writers;
        seen.push(...ids(p));
        cursor = p.nextCursor;
        round++;
      } while (cursor && round < 100);
      expect(new Set(seen).size, sort).toBe(seen.length);
      for (const id of before) expect(seen, sort).toContain(id);
    }
  });

  test('facets count per dataset, architecture, kind and verdict for the current query', async () => {
    const t = tag();
    await publish(card(t, { dataset: `MNIST-${t}`, arch: 'mnist-paper' }));
    await publish(card(t, { dataset: `mnist-${t}`, arch: 'mnist-paper' }));
    await publish(card(t, { dataset: `cifar-${t}`, arch: 'resnet' }));
    const all = await facets(`q=${t}`);
    expect(all.total).toBe(3);
    // Case-folded, shown as first published (the smallest spelling).
    expect(all.dataset).toEqual([
      { value: `mnist-${t}`.toLowerCase(), label: `MNIST-${t}`, count: 2 },
      { value: `cifar-${t}`.toLowerCase(), label: `cifar-${t}`, count: 1 },
    ]);
    expect(all.arch).toEqual([
      { value: 'mnist-paper', label: 'mnist-paper', count: 2 },
      { value: 'resnet', label: 'resnet', count: 1 },
    ]);
    expect(all.kind).toEqual([{ value: 'layer', label: 'layer', count: 3 }]);
    expect(all.verdict).toEqual([{ value: 'unresampled', label: 'unresampled', count: 3 }]);
    // A chosen architecture narrows the others' counts and the total, but not its own alternatives.
    const chosen = await facets(`q=${t}&arch=resnet`);
    expect(chosen.total).toBe(1);
    expect(chosen.dataset).toEqual([{ value: `cifar-${t}`, label: `cifar-${t}`, count: 1 }]);
    expect(chosen.arch.map((f) => [f.value, f.count])).toEqual([
      ['mnist-paper', 2],
      ['resnet', 1],
    ]);
    expect((await request(`/api/gallery/facets?sort=nope`)).status).toBe(400);
    expect((await request(`/api/gallery/facets`, { method: 'POST' })).status).toBe(405);
  });

  test('a withdrawn result leaves search and counts at once', async () => {
    const t = tag();
    const { id, token } = await publish(card(t, {}));
    expect(ids(await page(`q=${t}`))).toEqual([id]);
    const del = await request(`/api/results/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(del.status).toBe(200);
    expect(ids(await page(`q=${t}`))).toEqual([]);
    expect((await facets(`q=${t}`)).total).toBe(0);
    // A later version of a withdrawn result is refused, so nothing puts it back.
    const v2 = await request(`/api/results/${id}/versions`, json(card(t, {}), { authorization: `Bearer ${token}` }));
    expect(v2.status).toBe(410);
    expect(ids(await page(`q=${t}`))).toEqual([]);
  });
});
