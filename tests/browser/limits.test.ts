import { expect, inject, test } from 'vitest';
import { tabPerFile } from '../support/browser';
import { minimalDocument } from '../support/fixtures';
import { publish } from '../support/publish';

const tab = tabPerFile();

// 1e12 is the schema's MAX_MAGNITUDE (the browser project does not import app code).
const MAX = 1e12;

test('a result at the limits of the schema still draws: extreme bars, 130,000 edges, 64 timings', async () => {
  const base = inject('baseURL');
  const doc = structuredClone(minimalDocument) as Record<string, unknown> & typeof minimalDocument;
  doc.title = 'At the limits';
  doc.persistence.diagrams = [
    [
      [-MAX, null],
      [-MAX, MAX],
    ],
    [
      [0, MAX],
      [MAX, MAX],
    ],
  ] as unknown as typeof doc.persistence.diagrams;
  const node = doc.mapper.nodes[0]!;
  doc.mapper.nodes = [node, { ...node, id: 1, members: [0, 1] }] as typeof doc.mapper.nodes;
  // More edges than Math.max(...edges) can spread into arguments (about 124,000 overflowed the stack).
  doc.mapper.edges = Array.from({ length: 130_000 }, (_, i) => [0, 1, i === 7 ? MAX : 1]) as typeof doc.mapper.edges;
  doc.timings = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`stage${i}`, i === 0 ? MAX : i])) as {
    total: number;
  };
  const { id } = await publish(base, doc);

  await tab.page.goto(`${base}/r/${id}`);
  await tab.page.getByText('At the limits').first().waitFor({ timeout: 60_000 });
  // 130,000 edges are more than the SVG view draws (see graphCanvas.ts): the graph is one canvas picture.
  const graph = tab.page.locator('[data-testid="mapper-graph"][data-drawn="true"]');
  await graph.waitFor({ timeout: 60_000 });
  expect(await graph.getAttribute('data-surface')).toBe('canvas');
  expect(await graph.getAttribute('data-nodes')).toBe('2');
  await tab.page.getByTestId('barcode').first().waitFor();
  // No axis, position or size came out as NaN or Infinity anywhere in the drawing.
  const bad = await tab.page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll('svg *'))) {
      for (const attr of Array.from(el.attributes)) {
        if (/NaN|Infinity/.test(attr.value)) found.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
    for (const el of Array.from(document.querySelectorAll('svg text'))) {
      if (/NaN|Infinity/.test(el.textContent ?? '')) found.push(`text ${el.textContent}`);
    }
    return found.slice(0, 5);
  });
  expect(bad).toEqual([]);
  expect(tab.errors).toEqual([]);
});
