import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import { tabPerFile, waitForServiceWorker } from '../support/browser';
import { minimalDocument } from '../support/fixtures';
import { startTraining } from '../support/lab';
import { publish } from '../support/publish';

const tab = tabPerFile();

async function fill(testid: string, value: string) {
  await tab.page.getByTestId(testid).fill(value);
}

test('the lab page shows its controls and the backend badge, with no console errors', async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await expect.poll(() => tab.page.title()).toBe('Kleinscope');
  await expect.poll(() => tab.page.getByTestId('backend').textContent()).toBe('cpu');
  // Not webgpu, so the page says why training is slow.
  await expect(tab.page.locator('.backend .hint').textContent()).resolves.toMatch(/CPU/);
  await tab.page.getByTestId('start').waitFor();
  // The next tests train at once: let the service worker finish caching MNIST first (see waitForServiceWorker).
  await waitForServiceWorker(tab.page);
  expect(tab.errors).toEqual([]);
});

test('a tiny training gives snapshots, a timeline and an analysis with nodes and bars, kept across a reload', async () => {
  const base = inject('baseURL');
  await tab.page.goto(base + '/?backend=cpu');
  await expect.poll(() => tab.page.getByTestId('backend').textContent()).toBe('cpu');
  // A core of a few dozen filters needs a small k to have neighbours at all.
  await startTraining(tab.page, {
    runs: 1,
    steps: 6,
    'batch-size': 8,
    schedule: '3',
    'param-k': 8,
    'param-p': 60,
    'param-resolution': 8,
  });

  await tab.page.getByTestId('training-progress').waitFor({ timeout: 90_000 });
  // Snapshots at steps 3 and 6 (the last step is always kept): two timeline positions.
  await expect.poll(() => tab.page.getByTestId('timeline-slider').getAttribute('max'), { timeout: 90_000 }).toBe('1');
  const graph = tab.page.getByTestId('mapper-graph').first();
  await graph.waitFor({ timeout: 90_000 });
  await expect.poll(() => graph.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect.poll(() => tab.page.getByTestId('bar').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  // The distance curve needs both steps analysed in both layers.
  await tab.page.getByTestId('timeline-distances').locator('circle').first().waitFor({ timeout: 90_000 });
  await tab.page.getByTestId('start').waitFor(); // training finished

  // A new parameter recomputes in the worker.
  await fill('param-p', '50');
  await tab.page.getByText('X(8, 50)').first().waitFor({ timeout: 60_000 });

  // Scrubbing back shows the earlier step.
  await tab.page.getByTestId('timeline-slider').fill('0');
  await expect.poll(() => tab.page.getByTestId('timeline').locator('strong').textContent()).toBe('3');

  await tab.page.reload();
  await expect.poll(() => tab.page.getByTestId('timeline-slider').getAttribute('max'), { timeout: 30_000 }).toBe('1');
  await expect
    .poll(() => tab.page.getByTestId('mapper-graph').first().getByTestId('mapper-node').count(), { timeout: 60_000 })
    .toBeGreaterThan(0);
  expect(tab.errors).toEqual([]);
});

test('a result file opens in the lab, and a broken one is refused in the page', async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await tab.page.getByTestId('source-result').check();
  await tab.page.getByTestId('result-file').setInputFiles({
    name: 'circle.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...minimalDocument, title: 'A circle from a file' })),
  });
  await tab.page.getByTestId('mapper-graph').getByTestId('mapper-node').first().waitFor();
  // The document's only bar is the essential H0 class.
  await tab.page.locator('#dim-tab-0').click();
  await tab.page.getByTestId('barcode').getByTestId('bar').first().waitFor();

  await tab.page.getByTestId('result-file').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...minimalDocument, schema: 'something/else' })),
  });
  await expect
    .poll(() => tab.page.getByTestId('lab-error').textContent())
    .toMatch(/broken\.json: not a Kleinscope result/);
  expect(tab.errors).toEqual([]);
});

test('training can be paused, resumed and cancelled, and says so', async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await expect.poll(() => tab.page.getByTestId('backend').textContent()).toBe('cpu');
  await startTraining(tab.page, { runs: 1, steps: 5000, 'batch-size': 4, schedule: '4000' });
  await tab.page.getByTestId('training-progress').waitFor();
  await tab.page.getByTestId('pause').click();
  await tab.page.getByTestId('resume').waitFor({ timeout: 30_000 });
  // Paused: the progress stands still.
  const before = await tab.page.getByTestId('training-progress').textContent();
  await tab.page.waitForTimeout(1000);
  expect(await tab.page.getByTestId('training-progress').textContent()).toBe(before);
  await tab.page.getByTestId('resume').click();
  await tab.page.getByTestId('cancel').click();
  await expect.poll(() => tab.page.getByTestId('lab-error').textContent(), { timeout: 30_000 }).toMatch(/cancelled/);
  await tab.page.getByTestId('start').waitFor();
  expect(tab.errors).toEqual([]);
});

test('a published result opens in the lab from its page, and the lab publishes with a link and token', async () => {
  const base = inject('baseURL');
  const { id } = await publish(base, { ...minimalDocument, title: 'Handed to the lab' });
  await tab.page.goto(`${base}/r/${id}`);
  await tab.page.getByRole('button', { name: 'Open in lab' }).click();
  await tab.page.getByTestId('start').waitFor();
  await tab.page.getByText('Handed to the lab').first().waitFor();
  await tab.page.getByTestId('mapper-graph').getByTestId('mapper-node').first().waitFor();

  await tab.page.getByTestId('publish').click();
  const link = tab.page.getByTestId('published-link');
  await link.waitFor();
  expect(await link.getAttribute('href')).toMatch(/^\/r\/[^/]+$/);
  expect((await tab.page.getByTestId('published-token').textContent())?.length).toBeGreaterThan(10);
  expect(tab.errors).toEqual([]);
});

test('an imported model gets one small Mapper graph per 3x3 conv layer', async () => {
  const tf = await import('@tensorflow/tfjs');
  const { vggLike, saveModel } = await import('../unit/modelImportFixture');
  const dir = mkdtempSync(join(tmpdir(), 'kleinscope-model-'));
  try {
    tf.setBackend('cpu');
    const saved = await saveModel(vggLike(), dir, 2);
    await tab.page.goto(inject('baseURL') + '/?backend=cpu');
    await tab.page.getByTestId('source-model').check();
    await tab.page.getByTestId('model-files').setInputFiles(readdirSync(saved.dir).map((f) => join(saved.dir, f)));
    await tab.page.getByTestId('start').click();
    const gallery = tab.page.getByTestId('layer-gallery');
    await gallery.waitFor({ timeout: 30_000 });
    // 3x3 layers: block1_conv1, block1_conv2, block3_conv1, block3_dw; the 5x5 and 1x1 ones are listed, skipped.
    await expect.poll(() => gallery.getByTestId('mapper-graph').count(), { timeout: 60_000 }).toBe(4);
    await expect(gallery.getByText(/only 3x3 are analysed/).count()).resolves.toBe(2);
    expect(tab.errors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CIFAR-10 batch files train the CIFAR architecture', async () => {
  // 40 records of random pixels in the binary batch format: 1 label byte, then 32x32x3 bytes.
  const records = 40;
  const bytes = Buffer.alloc(records * 3073);
  for (let r = 0; r < records; r++) {
    bytes[r * 3073] = r % 10;
    for (let i = 1; i < 3073; i++) bytes[r * 3073 + i] = (r * 7919 + i * 104729) % 251;
  }
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await tab.page.getByTestId('source-cifar').check();
  await expect(tab.page.getByTestId('architecture').inputValue()).resolves.toBe('cifar-paper');
  await tab.page
    .getByTestId('cifar-files')
    .setInputFiles({ name: 'data_batch_1.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await startTraining(tab.page, { runs: 1, steps: 2, 'batch-size': 4, schedule: '2', 'param-k': 8 });
  // The page may show the previous test's training (restored from IndexedDB) until this one's first analysis.
  await tab.page.getByText('training · cifar10 · cifar-paper').first().waitFor({ timeout: 60_000 });
  await expect.poll(() => tab.page.getByTestId('mapper-node').count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(tab.page.getByTestId('timeline-slider').getAttribute('max')).resolves.toBe('0');
  expect(tab.errors).toEqual([]);
});

test('the high-contrast patches of own images are analysed like filters', async () => {
  await tab.page.goto(inject('baseURL') + '/?backend=cpu');
  await tab.page.getByTestId('source-images').check();
  await tab.page.getByTestId('image-files').setInputFiles(['static/icons/icon-192.png', 'static/icons/icon-512.png']);
  await tab.page.getByTestId('start').click();
  await tab.page
    .getByText(/file · own images/)
    .first()
    .waitFor({ timeout: 60_000 });
  await tab.page.getByTestId('mapper-graph').getByTestId('mapper-node').first().waitFor();
  // Patches are not a training: no timeline.
  await expect(tab.page.getByTestId('timeline').count()).resolves.toBe(0);

  // A file that is not an image is refused in the page.
  await tab.page
    .getByTestId('image-files')
    .setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a png') });
  await tab.page.getByTestId('start').click();
  await expect.poll(() => tab.page.getByTestId('lab-error').textContent()).toMatch(/notes\.png: not an image/);
  expect(tab.errors).toEqual([]);
});
