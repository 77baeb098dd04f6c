// "Reproduce the paper", the lab's first choice, on a reduced run in headless Chromium without a GPU: its
// defaults are the paper's, and the emergence plot gets one point per snapshot and layer, one row per layer.
import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { startTraining } from '../support/lab';
import { minimalDocument } from '../support/fixtures';
import { publish } from '../support/publish';

const tab = tabPerFile();

test("the paper's experiment is the first choice, with the paper's settings", async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await expect.poll(() => tab.page.getByTestId('backend').textContent()).toBe('cpu');
  const first = tab.page.locator('input[name="source"]').first();
  await expect(first.getAttribute('data-testid')).resolves.toBe('source-paper');
  await expect(first.isChecked()).resolves.toBe(true);
  await tab.page.getByTestId('paper-note').waitFor();
  await expect(tab.page.getByTestId('runs').inputValue()).resolves.toBe('30');
  await expect(tab.page.getByTestId('steps').inputValue()).resolves.toBe('800');
  await expect(tab.page.getByTestId('batch-size').inputValue()).resolves.toBe('64');
  await expect(tab.page.getByTestId('schedule').inputValue()).resolves.toBe('100, 200, 400, 800');
  await expect(tab.page.getByTestId('param-k').inputValue()).resolves.toBe('50');
  await expect(tab.page.getByTestId('param-p').inputValue()).resolves.toBe('30');
  // Another source and back: the paper's settings return.
  await tab.page.getByTestId('source-mnist').check();
  await tab.page.getByTestId('runs').fill('3');
  await tab.page.getByTestId('source-paper').check();
  await expect(tab.page.getByTestId('runs').inputValue()).resolves.toBe('30');
  await waitForServiceWorker(tab.page);
  expect(tab.errors).toEqual([]);
});

test('a reduced reproduction draws the emergence plot, one point per snapshot and layer', async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await expect.poll(() => tab.page.getByTestId('backend').textContent()).toBe('cpu');
  await startTraining(tab.page, { runs: 2, steps: 4, 'batch-size': 8, schedule: '2, 4' });
  const plot = tab.page.getByTestId('emergence-plot');
  await plot.waitFor({ timeout: 120_000 });
  // Two snapshots x two conv layers, each with its dominance and its near-axes share.
  await expect.poll(() => plot.locator('[data-point="dominance"]').count(), { timeout: 180_000 }).toBe(4);
  await expect(plot.locator('[data-point="near-axes"]').count()).resolves.toBe(4);
  await expect(plot.locator('figcaption').textContent()).resolves.toMatch(/layer 1.*layer 2/s);
  // The paper's two rows: layer 2 in its own row below layer 1, each with its two snapshots.
  await expect(plot.getByTestId('emergence-row').allTextContents()).resolves.toEqual(['layer 1', 'layer 2']);
  for (const layer of [1, 2]) {
    await expect(plot.locator(`g[data-layer="${layer}"] [data-point="dominance"]`).count()).resolves.toBe(2);
  }
  const rowTop = async (layer: number) => (await plot.locator(`g[data-layer="${layer}"]`).boundingBox())!.y;
  expect(await rowTop(2)).toBeGreaterThan(await rowTop(1));
  // The caption says what this training measured, never a fixed claim of the paper.
  const caption = (await plot.locator('figcaption').textContent()) ?? '';
  expect(caption).toMatch(
    /Measured: layer 1 (forms no circle by step 4|forms one circle from step \d|shows one circle)/,
  );
  expect(caption).not.toMatch(/The paper, reproduced/);
  // The step axis names the two snapshot steps.
  const ticks = await plot.locator('svg > text').allTextContents();
  expect(ticks).toEqual(expect.arrayContaining(['2', '4']));
  await tab.page.getByTestId('start').waitFor({ timeout: 120_000 });
  expect(tab.errors).toEqual([]);
});

test("a link whose versions are a training's steps shows their emergence plot on its page", async () => {
  const base = inject('baseURL');
  const at = (step: number) => ({
    ...minimalDocument,
    title: `Steps of one training, step ${step}`,
    source: { kind: 'training', dataset: 'mnist', architecture: 'mnist-paper', runs: 2, step, layer: 1 },
  });
  const { id, token } = await publish(base, at(100));
  const res = await fetch(`${base}/api/results/${id}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(at(400)),
  });
  expect(res.status).toBe(201);
  // The plot reads each version's step, layer and bars from the version list: no version is downloaded.
  const documents: string[] = [];
  const record = (r: { url: () => string }) => {
    if (r.url().includes(`/api/results/${id}/v/`)) documents.push(r.url());
  };
  tab.page.on('request', record);
  await tab.page.goto(`${base}/r/${id}`);
  const plot = tab.page.getByTestId('emergence-plot');
  await expect.poll(() => plot.locator('[data-point="dominance"]').count(), { timeout: 30_000 }).toBe(2);
  tab.page.off('request', record);
  expect(documents).toEqual([]);
  await expect(plot.locator('figcaption').textContent()).resolves.toMatch(/this result's versions/);
  // A result with one version has no curve to draw.
  const single = await publish(base, at(800));
  await tab.page.goto(`${base}/r/${single.id}`);
  await tab.page.getByTestId('mapper-graph').first().waitFor();
  await expect(tab.page.getByTestId('emergence-plot').count()).resolves.toBe(0);
  expect(tab.errors).toEqual([]);
});
