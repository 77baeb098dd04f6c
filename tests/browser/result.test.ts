import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { launch, openPage, recordErrors } from '../support/browser';
import { publish } from '../support/publish';
import { circleResult, gradientFilters } from '../support/circleResult';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { validateResult } from '../../src/lib/result/validate';
import type { ResultDocument } from '../../src/lib/result/schema';

let browser: Browser;
let base: string;
let id: string;
let token: string;
let doc: ResultDocument;

beforeAll(async () => {
  base = inject('baseURL');
  browser = await launch();
  doc = circleResult(12, 'Ring of gradients <i>(browser test)</i>');
  ({ id, token } = await publish(base, doc));
});
afterAll(async () => {
  await browser?.close();
});

test('a published result opens at its link with its graph, bars and versions', async () => {
  const { page, errors } = await openPage(browser, `${base}/r/${id}`);
  const nodes = page.getByTestId('mapper-node');
  await expect.poll(() => nodes.count()).toBe(12);
  await expect.poll(() => page.getByTestId('mapper-graph').getAttribute('data-edges')).toBe('12');
  // H1 is the tab shown first: the circle's long bar and three short ones.
  await expect.poll(() => page.getByTestId('bar').count()).toBe(4);
  await expect.poll(() => page.getByTestId('bar').first().getAttribute('data-death')).toBe('1.3');
  await page.getByRole('tab', { name: /H0/ }).click();
  await expect.poll(() => page.getByTestId('bar').count()).toBe(25);
  await expect.poll(() => page.locator('[data-testid="bar"][data-death="inf"]').count()).toBe(1);
  // User text is shown as text, never parsed as HTML.
  await expect.poll(() => page.getByRole('heading', { level: 2 }).first().textContent()).toBe(doc.title);
  expect(await page.locator('article i, article b').count()).toBe(0);
  await expect.poll(() => page.getByTestId('version-list').locator('li').count()).toBe(1);
  await expect.poll(() => page.getByRole('link', { name: 'v1' }).getAttribute('href')).toBe(`/r/${id}/v/1`);
  expect(errors).toEqual([]);
});

test('a large graph is laid out in the layout worker, off the main thread', async () => {
  const large = circleResult(400, 'A ring of 400 nodes');
  const { id: largeId } = await publish(base, large);
  const { page, errors } = await openPage(browser, `${base}/r/${largeId}`);
  await expect.poll(() => page.getByTestId('mapper-node').count(), { timeout: 30_000 }).toBe(400);
  expect(page.workers().map((w) => w.url())).toContainEqual(expect.stringMatching(/layout\.worker[^/]*\.js$/));
  expect(errors).toEqual([]);
});

test('when the layout worker cannot load, the page lays the graph out itself', async () => {
  const page = await browser.newPage();
  const errors = recordErrors(page);
  await page.route(/layout\.worker[^/]*\.js$/, (route) => route.abort());
  await page.goto(`${base}/r/${id}`);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
  expect(page.workers().some((w) => /layout\.worker/.test(w.url()))).toBe(false);
  // Only the refused script itself is reported; no error reaches the page.
  expect(errors.every((e) => /Failed to load resource/.test(e))).toBe(true);
  await page.close();
});

test('a document from the analysis pipeline renders all its nodes and bars', async () => {
  const analysed = await analyzeFilters(
    gradientFilters(400),
    { kind: 'synthetic', dataset: 'noisy gradients' },
    // Uniform on the circle, so the whole cloud is the core: a density cut would leave separate dense arcs.
    { k: 20, p: 100, resolution: 12, title: 'Noisy linear gradients: the primary circle' },
  );
  const { id: analysedId } = await publish(base, analysed);
  const { page, errors } = await openPage(browser, `${base}/r/${analysedId}`);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(analysed.mapper.nodes.length);
  const h1 = analysed.persistence.diagrams[1];
  await expect.poll(() => page.getByTestId('bar').count()).toBe(Math.min(300, h1.length));
  expect(errors).toEqual([]);
});

test('the barcode draws whiskers from the resamples on its longest bars; one sample says so', async () => {
  const analysed = await analyzeFilters(
    gradientFilters(300),
    { kind: 'synthetic', dataset: 'noisy gradients' },
    { k: 20, p: 100, resamples: 6, title: 'Whiskers' },
  );
  const lengths = analysed.persistence.confidence!.dims[0].lengths!;
  const { id: resampledId } = await publish(base, analysed);
  const { page, errors } = await openPage(browser, `${base}/r/${resampledId}`);
  const whiskers = page.getByTestId('bar-whisker');
  await expect.poll(() => whiskers.count()).toBe(4);
  expect(Number(await whiskers.first().getAttribute('data-high'))).toBe(lengths[0].high);
  await expect
    .poll(() => page.getByTestId('barcode-uncertainty').textContent())
    .toMatch(/whiskers: 90% interval of the 4 longest lengths over 6 resamples \(filters\)/);
  // The first test's document has no resamples: no whiskers, and its barcode says it rests on one sample.
  const one = await openPage(browser, `${base}/r/${id}`);
  await expect.poll(() => one.page.getByTestId('barcode-uncertainty').textContent()).toMatch(/one sample/);
  expect(await one.page.getByTestId('bar-whisker').count()).toBe(0);
  expect(errors).toEqual([]);
  expect(one.errors).toEqual([]);
});

test('an automatic Mapper says how it chose its cover and whether its loops agree with the barcode', async () => {
  const analysed = await analyzeFilters(
    gradientFilters(400),
    { kind: 'synthetic', dataset: 'noisy gradients' },
    { k: 20, p: 100, maxDim: 1, title: 'The primary circle, automatic Mapper' },
  );
  expect(analysed.mapper).toMatchObject({ chosen: 'auto', loops: 1 });
  const { id: autoId } = await publish(base, analysed);
  const { page, errors } = await openPage(browser, `${base}/r/${autoId}`);
  await expect.poll(() => page.getByTestId('mapper-agreement').textContent()).toMatch(/Cover chosen from the data/);
  await expect
    .poll(() => page.getByTestId('mapper-verdict').textContent())
    .toMatch(/The graph has 1 loop; the barcode\s+supports one H1 class\.\s+They agree\./);
  // A shared result has no filters to resample, so it offers no bootstrap button.
  expect(await page.getByTestId('bootstrap-button').count()).toBe(0);
  expect(errors).toEqual([]);
});

test('nodes are selectable by mouse and keyboard and recolour by attribute', async () => {
  const { page, errors } = await openPage(browser, `${base}/r/${id}/v/1`);
  const node = page.getByTestId('mapper-node').nth(3);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
  await node.click();
  const details = page.getByTestId('node-details');
  await expect.poll(() => details.locator('h4').textContent()).toBe('Node 3');
  await expect.poll(() => details.locator('.members li').count()).toBe(6);
  await page.getByRole('button', { name: 'Close' }).click();
  await expect.poll(() => details.count()).toBe(0);

  await page.getByTestId('mapper-node').nth(5).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => details.locator('h4').textContent()).toBe('Node 5');

  const fill = () => page.getByTestId('mapper-node').nth(5).locator('circle').getAttribute('fill');
  const before = await fill();
  await page.getByLabel('Colour by').selectOption('angle');
  await expect.poll(fill).toMatch(/^hsl\(/);
  expect(before).toMatch(/^rgb\(/);
  expect(errors).toEqual([]);
});

test('exports: result JSON equals the document, graph SVG and PNG are real files', async () => {
  const { page, errors } = await openPage(browser, `${base}/r/${id}`);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);

  const read = async (button: string) => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: button, exact: true }).click(),
    ]);
    return { name: download.suggestedFilename(), bytes: await readFile((await download.path())!) };
  };
  const json = await read('Download result JSON');
  expect(json.name).toBe('ring-of-gradients-i-browser-test-i.json');
  expect(validateResult(JSON.parse(json.bytes.toString('utf8')))).toEqual({ ok: true, value: doc });

  const svg = (await read('SVG')).bytes.toString('utf8');
  expect(svg.split('<g class="node"').length - 1).toBe(12);

  const png = (await read('PNG')).bytes;
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.length).toBeGreaterThan(1000);

  const kepler = JSON.parse((await read('KeplerMapper JSON')).bytes.toString('utf8'));
  expect(Object.keys(kepler.nodes)).toHaveLength(12);

  const barcode = (await read('Barcode SVG')).bytes.toString('utf8');
  expect(barcode).toContain('H1: 4 bars');
  expect(errors).toEqual([]);
});

test('"open in lab" hands the document to the lab page', async () => {
  const { page, errors } = await openPage(browser, `${base}/r/${id}`);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
  // Record what the lab is handed before the lab (which removes it once read) can take it.
  await page.evaluate(() => {
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k: string, v: string) {
      (window as unknown as { handed: string }).handed = k;
      set.call(this, k, v);
    };
  });
  // Errors on this page only: the lab page has its own tests.
  expect(errors).toEqual([]);
  await page.getByRole('button', { name: 'Open in lab' }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe('/');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { handed?: string }).handed))
    .toBe('kleinscope:open');
});

test('unknown results and bad versions show an error in the page', async () => {
  const { page } = await openPage(browser, `${base}/r/aaaaaaaaaaaaaaaa`);
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Not found');
  await page.goto(`${base}/r/${id}/v/7`);
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('no version 7');
  await page.goto(`${base}/r/${id}/v/zero`);
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('not a version number');
});

test('with the API unreachable the page says so instead of failing silently', async () => {
  const page = await browser.newPage();
  await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
  await page.goto(`${base}/r/${id}`);
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('You are offline');
  await expect.poll(() => page.getByText(/Version list unavailable/).count()).toBe(1);
  await page.unroute('**/api/**');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
});

test('a withdrawn result stays readable at its link and says it was withdrawn', async () => {
  const res = await fetch(`${base}/api/results/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  const { page, errors } = await openPage(browser, `${base}/r/${id}`);
  await expect.poll(() => page.getByText('The owner withdrew this result from the gallery.').count()).toBe(1);
  await expect.poll(() => page.getByTestId('mapper-node').count()).toBe(12);
  expect(errors).toEqual([]);
});
