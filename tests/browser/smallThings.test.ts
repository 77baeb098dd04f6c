// The small things a walkthrough tripped on (issue 26, item 8) and the views people expect from other TDA tools
// (exports, readable barcodes), on a real seeded result: MNIST layer 1 at step 800 (its counts are read from the
// document, which is regenerated when the paper preset changes).
import { readFileSync } from 'node:fs';
import { beforeAll, expect, inject, test } from 'vitest';
import type { Download } from 'playwright-core';
import { tabPerFile } from '../support/browser';
import { publish } from '../support/publish';
import { seedDocument } from '../../src/seed/start.js';

const tab = tabPerFile({ context: { viewport: { width: 1280, height: 900 }, acceptDownloads: true } });
const doc = JSON.parse(seedDocument('mnist-layer1-step800.json')) as {
  title: string;
  persistence: { diagrams: unknown[][] };
  mapper: { nodes: unknown[] };
};
const [bars0, bars1] = doc.persistence.diagrams.map((d) => d.length) as [number, number];
const nodes = doc.mapper.nodes.length;
/** The barcode draws the 300 longest bars of a dimension (Barcode.svelte's maxBars). */
const DRAWN = 300;
let id = '';

beforeAll(async () => {
  ({ id } = await publish(inject('baseURL'), doc));
});

const text = async (d: Download) => readFileSync((await d.path())!, 'utf8');

test("a result's tab is titled by the result, and gallery, result and compare pages have one <main>", async () => {
  const base = inject('baseURL');
  const page = tab.page;
  await page.goto(`${base}/r/${id}`);
  await expect.poll(() => page.title()).toBe(`${doc.title} · Kleinscope`);
  expect(await page.locator('main').count()).toBe(1);
  await page.goto(`${base}/gallery`);
  await expect.poll(() => page.title()).toBe('Gallery · Kleinscope');
  expect(await page.locator('main').count()).toBe(1);
  await page.goto(`${base}/compare?a=${id}&b=${id}`);
  await expect.poll(() => page.title()).toBe(`Compare ${id} and ${id} · Kleinscope`);
  expect(await page.locator('main').count()).toBe(1);
});

test('the barcode: a spaced caption, the longest bars labelled with their lengths, round ticks', async () => {
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/r/${id}`);
  const h1 = page.locator('[data-testid="barcode"][data-dim="1"]');
  await h1.waitFor();
  expect(await h1.locator('figcaption').textContent()).toContain(
    `${bars1} bars, longest first (${bars1 - DRAWN} shortest not drawn)`,
  );
  const labels = await h1.getByTestId('bar-length').allTextContents();
  expect(labels).toHaveLength(3);
  const lengths = await h1.getByTestId('bar').evaluateAll((gs) => gs.slice(0, 3).map((g) => Number(g.dataset.length)));
  labels.forEach((l, k) => expect(Number(l)).toBeCloseTo(lengths[k]!, 2));
  for (const tick of await h1.locator('.axis text').allTextContents()) expect(tick).toMatch(/^-?\d+(\.\d{1,2})?$/);
});

test('the node tooltip says density once and sits beside the node, not over it', async () => {
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/r/${id}`);
  const node = page.getByTestId('mapper-node').first();
  await node.waitFor();
  await node.hover();
  const tip = page.getByTestId('node-tooltip');
  await tip.waitFor();
  const line = (await tip.textContent()) ?? '';
  expect(line).toMatch(/^node \d+: \d+ members, density [\d.]+/);
  expect(line).not.toMatch(/density [\d.]+, density [\d.]+/);
  const [a, b] = [await node.boundingBox(), await tip.boundingBox()];
  const overlaps =
    a!.x < b!.x + b!.width && b!.x < a!.x + a!.width && a!.y < b!.y + b!.height && b!.y < a!.y + a!.height;
  expect(overlaps).toBe(false);
});

test('diagrams download as CSV, GUDHI and ripser.py; the graph as one HTML page that needs nothing else', async () => {
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/r/${id}`);
  await page.getByTestId('mapper-node').first().waitFor();
  const exports = page.getByTestId('diagram-exports');
  const grab = async (click: () => Promise<void>) => {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    return { name: download.suggestedFilename(), body: await text(download) };
  };
  const csv = await grab(() => exports.getByRole('button', { name: 'CSV' }).click());
  expect(csv.name).toMatch(/-diagrams\.csv$/);
  const rows = csv.body.trim().split('\n');
  expect(rows[0]).toBe('dimension,birth,death');
  expect(rows).toHaveLength(1 + bars0 + bars1);
  const gudhi = await grab(() => exports.getByRole('button', { name: 'GUDHI' }).click());
  const lines = gudhi.body.trim().split('\n');
  expect(lines).toHaveLength(bars0 + bars1);
  expect(lines).toContain('2 0 0 inf');
  for (const l of lines) expect(l).toMatch(/^2 [01] [\d.e-]+ ([\d.e-]+|inf)$/);
  const ripser = await grab(() => exports.getByRole('button', { name: 'ripser.py' }).click());
  const dgms = (JSON.parse(ripser.body) as { dgms: unknown[][] }).dgms;
  expect(dgms.map((d) => d.length)).toEqual([bars0, bars1]);
  const html = await grab(() => page.getByTestId('export-html').first().click());
  expect(html.name).toMatch(/-graph\.html$/);
  expect(html.body).not.toMatch(/<script|src=|href=/i);
  expect(html.body.split('<g class="node"').length - 1).toBe(nodes);
  expect(html.body).toContain('ring colour:');
});

test('"Open in lab" says why the parameters are fixed there; publishing offline says what happened', async () => {
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/r/${id}`);
  const open = page.getByRole('button', { name: 'Open in lab' });
  expect(await open.getAttribute('title')).toMatch(/parameters are fixed/);
  await open.click();
  await page.getByTestId('opened-note').waitFor();
  expect(await page.getByTestId('opened-note').textContent()).toMatch(/X\(50, 30\).*cannot be changed here/s);
  await tab.context.setOffline(true);
  try {
    await page.getByTestId('publish').click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/publishing needs the server/);
  } finally {
    await tab.context.setOffline(false);
  }
  // Going offline on purpose makes the console report the failed request; nothing else may be there.
  expect(tab.errors.every((e) => e.includes('ERR_INTERNET_DISCONNECTED'))).toBe(true);
  tab.errors.length = 0;
});

test('the model URL field is wide enough for a URL', async () => {
  const page = tab.page;
  await page.goto(`${inject('baseURL')}/`);
  await page.getByTestId('source-model').check();
  const box = await page.getByTestId('model-url').boundingBox();
  expect(box!.width).toBeGreaterThanOrEqual(400);
  expect(tab.errors).toEqual([]);
});
