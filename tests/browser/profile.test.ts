// A whole network's profile end to end: `kleinscope publish` of the seeded face-api profile.json, its link opens as
// figure 6 (the chart, a row per layer with its patterns), the gallery shows it as a profile card, and two profiles
// compare layer by layer.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { root, startPagesDev, type DevServer } from '../support/wrangler';
import { launch, openPage } from '../support/browser';
import type { Browser } from 'playwright-core';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { circleSample } from '../unit/analysisSamples';

let dir: string;
let server: DevServer | undefined;
let browser: Browser | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kleinscope-profile-e2e-'));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'src/cli/kleinscope.js'), ...args], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('a published profile opens as figure 6, shows in the gallery and compares layer by layer', async () => {
  server = await startPagesDev(join(dir, 'state'));
  const seed = JSON.parse(readFileSync(join(root, 'src/seed/faceapi-recognition-profile.json'), 'utf8'));
  const dataset = `profile-e2e-${Date.now()}`;
  const file = join(dir, 'profile.json');
  writeFileSync(file, JSON.stringify({ ...seed, source: { ...seed.source, dataset } }));
  const published = await cli(['publish', file, '--server', server.url, '--json']);
  expect(published.stderr).toBe('');
  expect(published.code).toBe(0);
  const { id } = JSON.parse(published.stdout) as { id: string };

  browser = await launch();
  const { page, errors } = await openPage(browser, `${server.url}/r/${id}`);
  const view = page.getByTestId('profile-view');
  await view.waitFor({ timeout: 60_000 });
  expect(await view.locator('tbody tr').count()).toBe(seed.layers.length);
  // The chart: a stacked pattern bar per analysed layer; the last layer is all centre.
  const last = seed.layers.at(-1).layer;
  expect(await view.locator(`svg rect[data-layer="${last}"][data-pattern="centre"]`).getAttribute('data-share')).toBe(
    '1',
  );
  expect(await view.locator(`tr[data-layer="${last}"]`).textContent()).toContain('100%');

  await page.goto(`${server.url}/gallery?dataset=${dataset}`, { waitUntil: 'domcontentloaded', timeout: 90_000 });
  const card = page.locator(`[data-testid="gallery-card"][data-id="${id}"]`);
  await card.waitFor({ timeout: 60_000 });
  expect(await card.getAttribute('data-kind')).toBe('profile');
  expect(await card.locator('svg.profile-chart rect').count()).toBeGreaterThan(seed.layers.length);

  const other = await cli(['publish', file, '--server', server.url, '--json']);
  const { id: id2 } = JSON.parse(other.stdout) as { id: string };
  await page.goto(`${server.url}/compare?a=${id}&b=${id2}`, { waitUntil: 'domcontentloaded', timeout: 90_000 });
  const cmp = page.getByTestId('profile-compare');
  await cmp.waitFor({ timeout: 60_000 });
  expect(await cmp.getByTestId('profile-pair').count()).toBe(seed.layers.length);
  expect(errors).toEqual([]);
});

test('a layer result shows its atlas bar, and its Mapper graph colours by pattern with a legend', async () => {
  server ??= await startPagesDev(join(dir, 'state'));
  const doc = await analyzeFilters(circleSample(400, { noise: 0.05, seed: 3 }).filters, {
    kind: 'synthetic',
    dataset: `atlas-e2e-${Date.now()}`,
  });
  const file = join(dir, 'layer.json');
  writeFileSync(file, JSON.stringify(doc));
  const published = await cli(['publish', file, '--server', server.url, '--json']);
  expect(published.code).toBe(0);
  const { id } = JSON.parse(published.stdout) as { id: string };
  browser ??= await launch();
  const { page, errors } = await openPage(browser, `${server.url}/r/${id}`);
  const atlas = page.getByTestId('pattern-atlas');
  await atlas.waitFor({ timeout: 60_000 });
  const edge = `${(doc.patternAtlas!.classes.edge.share * 100).toFixed(1)}%`;
  expect(await atlas.locator('li[data-pattern="edge"]').textContent()).toContain(edge);
  await page.getByLabel('Colour by').first().selectOption('pattern');
  const legend = page.getByLabel('Colour legend').first();
  expect(await legend.textContent()).toContain('centre');
  expect(await legend.locator('.swatch').count()).toBe(5);
  expect(errors).toEqual([]);
});

test("a profile layer's recompute link opens the lab with the model's URL filled in", async () => {
  server ??= await startPagesDev(join(dir, 'state'));
  browser ??= await launch();
  const model = 'https://example.invalid/models/net-weights_manifest.json';
  const { page, errors } = await openPage(browser, `${server.url}/?model=${encodeURIComponent(model)}&layer=3`);
  const input = page.getByTestId('model-url');
  await input.waitFor({ timeout: 60_000 });
  expect(await input.inputValue()).toBe(model);
  expect(errors).toEqual([]);
});
