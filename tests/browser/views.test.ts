// The result views a KeplerMapper or Projector user expects (linked barcode and graph, search, colour, the
// first-visit guide), and the defects found trying the app as a new user (issue 17).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, recordErrors, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';
import { publish } from '../support/publish';
import { circleResult } from '../support/circleResult';
import { summarize } from '../../src/lib/result/summary';
import { ANALYSIS_LIMITS } from '../../src/lib/analysis/limits';
import type { ResultDocument } from '../../src/lib/result/schema';

let browser: Browser;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-views-'));

/** The ring with the cocycle of its long H1 bar: the edges between core points 13-14 and 14-15 cut the loop. */
function linkedResult(): ResultDocument {
  const doc = circleResult(12, 'Linked views');
  doc.persistence.cocycles = [
    {
      bar: 0,
      birth: 0.2,
      death: 1.3,
      edges: [
        [13, 14],
        [14, 15],
      ],
    },
  ];
  return doc;
}

beforeAll(async () => {
  base = inject('baseURL');
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newPage(options: Parameters<Browser['newContext']>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = recordErrors(page);
  return { page, errors, close: () => context.close() };
}

/** Ids of the Mapper nodes marked as `data-<flag>="true"`, sorted. */
async function nodeIds(page: Page, flag: 'highlighted' | 'picked'): Promise<number[]> {
  const ids = await page
    .locator(`[data-testid="mapper-node"][data-${flag}="true"]`)
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
  return ids.sort((a, b) => a - b);
}

describe('linked views', () => {
  test('an H1 bar marks the nodes its cocycle passes through; picked nodes outline their filters in the fit charts', async () => {
    const doc = linkedResult();
    const { id } = await publish(base, doc);
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/r/${id}`);
    await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
    const bar = page.locator('[data-testid="bar"][data-dim="1"][data-index="0"]');
    await expect.poll(() => bar.getAttribute('data-length')).toBe(String(1.3 - 0.2));
    expect(await nodeIds(page, 'highlighted')).toEqual([]);
    await bar.click();
    // The cocycle's vertices are core points 13, 14 and 15; the nodes holding any of them:
    const vertices = new Set([13, 14, 15]);
    const expected = doc.mapper.nodes.filter((n) => n.members.some((m) => vertices.has(m))).map((n) => n.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(12);
    await expect.poll(() => nodeIds(page, 'highlighted')).toEqual(expected.sort((a, b) => a - b));
    await expect.poll(() => bar.getAttribute('aria-pressed')).toBe('true');
    // A bar without a stored cocycle is not a button.
    expect(await page.locator('[data-testid="bar"][data-dim="1"][data-index="1"]').getAttribute('role')).toBeNull();
    await bar.click();
    await expect.poll(() => nodeIds(page, 'highlighted')).toEqual([]);

    // Picking node 3 (6 members) outlines its 6 filters in the angle histogram and the Klein-fit chart.
    await page.locator('[data-testid="mapper-node"][data-id="3"]').click();
    const total = async (testid: string) =>
      (
        await page.getByTestId(testid).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))))
      ).reduce((a, b) => a + b, 0);
    await expect.poll(() => total('angle-highlight')).toBe(doc.mapper.nodes[3].members.length);
    await expect.poll(() => total('klein-highlight')).toBe(doc.mapper.nodes[3].members.length);
    // Shift adds a node: 3 and 4 share core point 20, so 11 distinct filters.
    await page.locator('[data-testid="mapper-node"][data-id="4"]').click({ modifiers: ['Shift'] });
    await expect.poll(() => nodeIds(page, 'picked')).toEqual([3, 4]);
    await expect.poll(() => total('angle-highlight')).toBe(11);
    // Both charts say what their colours mean, the selection included.
    expect(await page.getByTestId('klein-legend').textContent()).toMatch(/filters per cell.*selected nodes \(11\)/s);
    expect(await page.getByTestId('angle-legend').textContent()).toMatch(
      /horizontal and vertical edges.*selected nodes/s,
    );
    expect(errors).toEqual([]);
    await close();
  });
});

describe('member filters', () => {
  test('a shared result that kept its core filters shows a node’s real members', async () => {
    const doc = circleResult(12, 'With its filters');
    // A filter per core point that no Klein patch would give: its index in the first pixel.
    doc.preprocessing.coreFilters = Array.from({ length: 9 * doc.preprocessing.nCore }, (_, i) =>
      i % 9 === 0 ? Math.floor(i / 9) : (i % 9) / 10,
    );
    const { id } = await publish(base, doc);
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/r/${id}`);
    await page.locator('[data-testid="mapper-node"][data-id="2"]').click();
    await expect.poll(() => page.getByTestId('node-details').textContent()).toMatch(/Member filters/);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('search and colour', () => {
  test('nodes are found by member and attribute range; colour by any attribute, with a histogram in the tooltip', async () => {
    const doc = linkedResult();
    const { id } = await publish(base, doc);
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/r/${id}`);
    await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
    const search = page.getByTestId('node-search');
    await search.fill('#14');
    await search.press('Enter');
    const holding = doc.mapper.nodes.filter((n) => n.members.includes(14)).map((n) => n.id);
    await expect.poll(() => nodeIds(page, 'picked')).toEqual(holding);
    await expect
      .poll(() => page.getByTestId('search-message').textContent())
      .toBe('Nodes holding core point #14: 1 node');
    await search.fill('run 1..1');
    await search.press('Enter');
    const run1 = doc.mapper.nodes.filter((n) => n.attributes?.run === 1).map((n) => n.id);
    await expect.poll(() => nodeIds(page, 'picked')).toEqual(run1);
    await search.fill('weight > 2');
    await search.press('Enter');
    await expect.poll(() => page.getByTestId('search-message').textContent()).toMatch(/no attribute 'weight'/);

    const colour = page.getByLabel('Colour by');
    await colour.selectOption('angle');
    await expect.poll(() => page.getByLabel('Colour legend').textContent()).toMatch(/angle/);
    await page.locator('[data-testid="mapper-node"][data-id="2"]').hover();
    const histogram = page.getByTestId('node-histogram');
    // An angle exists per filter: the tooltip shows it over the node's members.
    await expect.poll(() => histogram.getAttribute('data-of')).toBe('members');
    await colour.selectOption('density');
    await page.locator('[data-testid="mapper-node"][data-id="5"]').hover();
    await expect.poll(() => histogram.getAttribute('data-of')).toBe('nodes');
    expect(errors).toEqual([]);
    await close();
  });
});

describe('the result page for a newcomer', () => {
  test('a first-visit guide explains the page, stays dismissed, and can be brought back', async () => {
    const { id } = await publish(base, linkedResult());
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/r/${id}`);
    const guide = page.getByTestId('guide');
    await guide.waitFor();
    expect(await guide.textContent()).toMatch(/Mapper graph.*Barcodes/s);
    await page.getByTestId('guide-dismiss').click();
    await expect.poll(() => guide.count()).toBe(0);
    await page.reload();
    await page.getByTestId('mapper-node').first().waitFor();
    await page.getByTestId('guide-open').waitFor();
    expect(await guide.count()).toBe(0);
    await page.getByTestId('guide-open').click();
    await guide.waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  test('an untitled result has the same title on its page as on its card', async () => {
    const doc = circleResult(12);
    delete (doc as { title?: string }).title;
    doc.source = { kind: 'file', dataset: 'weights.npy', layer: 2 };
    const { id } = await publish(base, doc);
    const { page, close } = await newPage();
    await page.goto(`${base}/r/${id}`);
    const heading = page.getByTestId('result-view').getByRole('heading', { level: 2 });
    await expect.poll(() => heading.textContent()).toBe(summarize(doc).title);
    expect(summarize(doc).title).toBe('weights.npy · layer 2');
    await close();
  });

  test('a result that does not exist says so, with no Retry; Copy link says it copied', async () => {
    const { page, close } = await newPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(`${base}/r/nosuchresult0`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/Not found/);
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(0);

    const { id } = await publish(base, linkedResult());
    await page.goto(`${base}/r/${id}`);
    await page.getByTestId('mapper-node').first().waitFor();
    await page.getByTestId('copy-link').click();
    await expect.poll(() => page.getByTestId('copy-status').textContent()).toMatch(/^Link copied: http/);
    await expect.poll(() => page.getByTestId('copy-link').textContent()).toBe('Copied ✓');
    await close();
  });
});

describe('the lab in its address', () => {
  test('analysis parameters, layer and step are read from the address, written back, and kept on reload', async () => {
    const { page, errors, close } = await newPage();
    await page.goto(`${base}/?backend=cpu&k=8&p=60&lens=codensity`);
    await expect.poll(() => page.getByTestId('param-k').inputValue()).toBe('8');
    await expect.poll(() => page.getByTestId('param-lens').inputValue()).toBe('codensity');
    // The fields' bounds are the pipeline's (src/lib/analysis/limits.ts).
    expect(await page.getByTestId('param-k').getAttribute('max')).toBe(String(ANALYSIS_LIMITS.k.max));
    expect(await page.getByTestId('param-p').getAttribute('min')).toBe(String(ANALYSIS_LIMITS.p.min));
    await waitForServiceWorker(page);
    await startTraining(page, { runs: 1, steps: 4, 'batch-size': 8, schedule: '2' });
    await expect.poll(() => page.getByTestId('timeline-slider').getAttribute('max'), { timeout: 90_000 }).toBe('1');
    await page.getByTestId('start').waitFor({ timeout: 90_000 });
    const query = (key: string) => new URL(page.url()).searchParams.get(key);
    await expect.poll(() => query('step')).toBe('4');
    expect(query('layer')).toBe('1');
    await page.getByTestId('timeline-slider').fill('0');
    await expect.poll(() => query('step')).toBe('2');
    await page.getByTestId('param-p').fill('50');
    await expect.poll(() => query('p')).toBe('50');
    expect([query('backend'), query('k'), query('lens')]).toEqual(['cpu', '8', 'codensity']);
    await page.reload();
    await expect.poll(() => page.getByTestId('param-p').inputValue()).toBe('50');
    await expect
      .poll(() => page.getByTestId('timeline').locator('strong').textContent(), { timeout: 30_000 })
      .toBe('2');
    // The lab has the analysed filters: a node shows its real members, not fitted model patches.
    const node = page.getByTestId('result-view').getByTestId('mapper-node').first();
    await node.waitFor({ timeout: 60_000 });
    await node.click();
    await expect.poll(() => page.getByTestId('node-details').textContent()).toMatch(/Member filters/);
    expect(errors).toEqual([]);
    await close();
  });
});

describe('defects', () => {
  test('the publish panel forgets the link of a result that is no longer on screen', async () => {
    const a = circleResult(12, 'first file');
    const b = circleResult(10, 'second file');
    writeFileSync(join(dir, 'a.json'), JSON.stringify(a));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(b));
    const { page, errors, close } = await newPage();
    await page.goto(base + '/?backend=cpu');
    await page.getByTestId('source-result').check();
    await page.getByTestId('result-file').setInputFiles(join(dir, 'a.json'));
    await page.getByTestId('publish').click();
    await page.getByTestId('published-link').waitFor();
    await page.getByTestId('result-file').setInputFiles(join(dir, 'b.json'));
    await expect
      .poll(() => page.getByTestId('result-view').getByRole('heading', { level: 2 }).textContent())
      .toBe('second file');
    await expect.poll(() => page.getByTestId('published-link').count()).toBe(0);
    await page.getByTestId('publish').waitFor();
    expect(errors).toEqual([]);
    await close();
  });

  test('the gallery finds "MNIST" for mnist, and its cards call graph loops loops, not cycles', async () => {
    const dataset = `Views-${Date.now()}`;
    const doc = circleResult(12, 'a ring in the gallery');
    doc.source = { kind: 'training', dataset, runs: 2, step: 100, layer: 1 };
    const { id } = await publish(base, doc);
    const { page, close } = await newPage();
    await page.goto(`${base}/gallery?dataset=${dataset.toUpperCase()}`);
    const card = page.locator(`[data-testid="gallery-card"][data-id="${id}"]`);
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    // The ring has one loop in the graph: 12 nodes, 12 edges.
    expect(text).toMatch(/12 nodes, 1 loop in the graph/);
    expect(text).not.toMatch(/cycle/);
    await close();
  });

  test('compare lists a dimension only one side computed as not compared', async () => {
    const toH2 = circleResult(12, 'to H2');
    toH2.persistence.maxDim = 2;
    toH2.persistence.diagrams.push([[0.5, 0.6]]);
    const { id: a } = await publish(base, toH2);
    const { id: b } = await publish(base, circleResult(12, 'to H1'));
    const { page, close } = await newPage();
    await page.goto(`${base}/compare?a=${a}&b=${b}`);
    await expect.poll(() => page.getByTestId('distance-row').count()).toBe(2);
    await expect.poll(() => page.getByTestId('uncompared-row').textContent()).toMatch(/H2.*only A/);
    await close();
  });

  test('at phone and desktop widths no page scrolls sideways', async () => {
    const { id } = await publish(base, linkedResult());
    const { id: other } = await publish(base, circleResult(10, 'other'));
    const overflowing: string[] = [];
    for (const width of [390, 1280]) {
      const { page, close } = await newPage({ viewport: { width, height: 800 } });
      for (const path of ['/', `/r/${id}`, `/compare?a=${id}&b=${other}`, '/gallery']) {
        await page.goto(base + path);
        await page.waitForLoadState('networkidle');
        if (path.startsWith('/r/') || path.startsWith('/compare'))
          await page.getByTestId('mapper-node').first().waitFor();
        const overflow = await page.evaluate(() => {
          const doc = document.documentElement;
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1)
            .slice(-3)
            .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
          return { scroll: doc.scrollWidth, client: doc.clientWidth, wide };
        });
        if (path === '/') {
          // The analysis fields (a select beside number inputs) never overlap one another.
          const overlaps = await page.evaluate(() => {
            const boxes = [...document.querySelectorAll('[data-testid="analysis-params"] > label > :is(input, select)')]
              .map((e) => ({ name: e.getAttribute('data-testid') ?? e.tagName, r: e.getBoundingClientRect() }))
              .filter(({ r }) => r.width > 0);
            const out: string[] = [];
            for (const a of boxes)
              for (const b of boxes)
                if (
                  a !== b &&
                  a.r.left < b.r.right - 1 &&
                  b.r.left < a.r.right - 1 &&
                  a.r.top < b.r.bottom - 1 &&
                  b.r.top < a.r.bottom - 1
                )
                  out.push(`${a.name} over ${b.name}`);
            return out;
          });
          if (overlaps.length) overflowing.push(`/ at ${width}px: ${overlaps.join(', ')}`);
        }
        if (overflow.scroll > overflow.client)
          overflowing.push(
            `${path} at ${width}px: ${overflow.scroll} > ${overflow.client} (${overflow.wide.join(', ')})`,
          );
      }
      await close();
    }
    expect(overflowing).toEqual([]);
  });
});
