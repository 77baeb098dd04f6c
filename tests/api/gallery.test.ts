import { describe, expect, test } from 'vitest';
import { doc, errorOf, json, publish, request } from './support';

interface Item {
  id: string;
  version: number;
  title: string;
  source: { dataset: string; architecture?: string; layer?: number };
  sizes: { nodes: number; edges: number; components: number; cycles: number; core: number };
  topBars: Array<Array<[number, number | null]>>;
  strip: number[][];
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

const page = async (query: string): Promise<Page> => {
  const res = await request(`/api/gallery?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

function sourced(dataset: string, architecture: string, layer: number, title: string) {
  return doc({ title, source: { kind: 'training', dataset, architecture, layer } });
}

describe('GET /api/gallery', () => {
  test('newest first, paginated by an opaque cursor, filtered by dataset, arch and layer', async () => {
    const dataset = `gal-${crypto.randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Distinct milliseconds keep the expected order unambiguous.
      await new Promise((r) => setTimeout(r, 3));
      ids.push((await publish(sourced(dataset, i % 2 ? 'mnist-paper' : 'cifar-small', i < 3 ? 1 : 2, `card ${i}`))).id);
    }
    const first = await page(`dataset=${dataset}&limit=2`);
    expect(first.items.map((i) => i.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).toBeTruthy();
    const second = await page(`dataset=${dataset}&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const third = await page(`dataset=${dataset}&limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();

    const arch = await page(`dataset=${dataset}&arch=mnist-paper`);
    expect(arch.items.map((i) => i.id)).toEqual([ids[3], ids[1]]);
    const layer = await page(`dataset=${dataset}&layer=2`);
    expect(layer.items.map((i) => i.id)).toEqual([ids[4], ids[3]]);
    // People type "MNIST" for "mnist": the filters ignore case.
    const shouted = await page(`dataset=${dataset.toUpperCase()}&arch=MNIST-Paper`);
    expect(shouted.items.map((i) => i.id)).toEqual([ids[3], ids[1]]);
  });

  test('each item is a small summary: title, source, sizes, top bars and a mean-filter strip', async () => {
    const dataset = `sum-${crypto.randomUUID().slice(0, 8)}`;
    const d = sourced(dataset, 'mnist-paper', 1, 'a <b>bold</b> title');
    (d.persistence as { diagrams: unknown }).diagrams = [
      [
        [0, null],
        [0, 0.5],
      ],
      [
        [0.1, 0.2],
        [0.2, 0.9],
        [0.3, 0.35],
      ],
    ];
    const { id } = await publish(d);
    const [item] = (await page(`dataset=${dataset}`)).items;
    expect(item).toMatchObject({ id, version: 1, title: 'a <b>bold</b> title', source: { dataset, layer: 1 } });
    expect(item!.sizes).toMatchObject({ nodes: 1, edges: 0, components: 1, cycles: 0, core: 3 });
    expect(item!.topBars[1]![0]).toEqual([0.2, 0.9]);
    expect(item!.topBars[0]![0]).toEqual([0, null]);
    expect(item!.strip).toEqual([[0, 0, 0, 1, 1, 1, 0, 0, 0]]);
    // The card is small even though documents may be megabytes.
    expect(JSON.stringify(item).length).toBeLessThan(4000);
  });

  test('a new version updates the card; a withdrawn result leaves the gallery', async () => {
    const dataset = `ver-${crypto.randomUUID().slice(0, 8)}`;
    const { id, token } = await publish(sourced(dataset, 'a', 1, 'before'));
    const v2 = await request(
      `/api/results/${id}/versions`,
      json(sourced(dataset, 'a', 1, 'after'), { authorization: `Bearer ${token}` }),
    );
    expect(v2.status).toBe(201);
    expect((await page(`dataset=${dataset}`)).items.map((i) => [i.id, i.version, i.title])).toEqual([[id, 2, 'after']]);
    const del = await request(`/api/results/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(del.status).toBe(200);
    expect((await page(`dataset=${dataset}`)).items).toEqual([]);
  });

  test('bad limits and cursors are 400; other methods 405', async () => {
    for (const q of ['limit=0', 'limit=abc', 'limit=-3', 'cursor=%%%', 'cursor=Zm9v', 'layer=x']) {
      const res = await request(`/api/gallery?${q}`);
      expect(res.status, q).toBe(400);
      expect((await errorOf(res)).error).toBe('bad_request');
    }
    expect((await request('/api/gallery', { method: 'POST' })).status).toBe(405);
  });

  test('a limit above the maximum is clamped, not refused', async () => {
    const res = await request('/api/gallery?limit=5000');
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page).items.length).toBeLessThanOrEqual(50);
  });
});
