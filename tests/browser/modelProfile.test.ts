// A face-api.js style model dropped onto the lab (a folder with two weights manifests and their extension-less,
// quantized shards): the lab asks which manifest to open, analyses every 3x3 layer and shows the layer profile.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import { tabPerFile } from '../support/browser';
import { writeManifest, type ManifestTensor } from '../unit/modelImportFixture';

const tab = tabPerFile();

/** n edge filters at evenly spaced angles (the primary circle), as uint8 codes of a [3, 3, 1, n] kernel. */
function circleKernel(n: number): number[] {
  const codes = new Array<number>(9 * n);
  for (let f = 0; f < n; f++) {
    const t = (2 * Math.PI * f) / n;
    for (let ij = 0; ij < 9; ij++) {
      const v = ((ij % 3) - 1) * Math.cos(t) + (Math.floor(ij / 3) - 1) * Math.sin(t);
      // v in [-sqrt 2, sqrt 2] -> 0..255 with min -1.5, scale 3/255.
      codes[ij * n + f] = Math.round(((v + 1.5) / 3) * 255);
    }
  }
  return codes;
}

function noiseKernel(length: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length }, () => (s = (s * 16807) % 2147483647) % 65536);
}

/** A folder as face-api.js ships one: two manifests, extension-less quantized shards; `n` filters per layer. */
function faceApiFolder(dir: string, n: number): void {
  const q8 = { dtype: 'uint8' as const, scale: 3 / 255, min: -1.5 };
  const tensors: ManifestTensor[] = [
    { name: 'conv0/filters', shape: [3, 3, 1, n], quantization: q8, stored: circleKernel(n) },
    { name: 'conv0/bias', shape: [n], quantization: q8, stored: new Array(n).fill(128) },
    {
      name: 'conv1/depthwise_filter',
      shape: [3, 3, n, 1],
      quantization: { dtype: 'uint16', scale: 2 / 65535, min: -1 },
      stored: noiseKernel(9 * n, 3),
    },
    { name: 'conv1/pointwise_filter', shape: [1, 1, 4, 8], quantization: q8, stored: noiseKernel(32, 5) },
  ];
  writeManifest(dir, 'tiny_detector', [tensors]);
  writeManifest(dir, 'other_net', [[{ name: 'w', shape: [3, 3, 1, 40], stored: noiseKernel(360, 9) }]]);
}

test('a dropped folder of manifests: choose one, and the profile shows every 3x3 layer with its exports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kleinscope-faceapi-'));
  try {
    const n = 300;
    faceApiFolder(dir, n);
    const files = readdirSync(dir).map((name) => ({ name, bytes: [...readFileSync(join(dir, name))] }));

    await tab.page.goto(inject('baseURL') + '/?backend=cpu');
    await tab.page.getByTestId('source-model').check();
    const transfer = await tab.page.evaluateHandle((picked) => {
      const data = new DataTransfer();
      for (const f of picked) data.items.add(new File([new Uint8Array(f.bytes)], f.name));
      return data;
    }, files);
    await tab.page.getByTestId('model-drop').dispatchEvent('drop', { dataTransfer: transfer });
    await expect.poll(() => tab.page.getByText(`${files.length} files chosen.`).count()).toBe(1);
    await tab.page.getByTestId('model-manifest').selectOption('tiny_detector-weights_manifest.json');
    await tab.page.getByTestId('start').click();

    const profile = tab.page.getByTestId('layer-profile');
    await profile.waitFor({ timeout: 60_000 });
    await expect
      .poll(() => tab.page.getByTestId('profile-status').textContent(), { timeout: 120_000 })
      .toMatch(/^\s*2 of 2 3x3 layers analysed/);
    // Every layer in: the profile can be published as one document, and its patterns are stacked per layer.
    await profile.getByRole('button', { name: 'Publish profile' }).waitFor({ timeout: 30_000 });
    expect(await profile.locator('rect[data-pattern]').count()).toBeGreaterThanOrEqual(2);
    // One bar per layer in each of the three panels, and a Mapper thumbnail per layer.
    const bars = await profile
      .locator('rect[data-value]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-layer'), Number(e.getAttribute('data-value'))]));
    expect(bars.map(([layer]) => layer)).toEqual(['1', '2', '1', '2', '1', '2']);
    // The circle layer (1) sits on the primary circle, the uniform noise of the depthwise layer (2) does not.
    const near = bars.slice(2, 4).map(([, v]) => v as number);
    expect(near[0]).toBeGreaterThan(0.9);
    expect(near[1]).toBeLessThan(0.3);
    await expect.poll(() => profile.locator('g.thumb circle').count()).toBeGreaterThan(1);

    const [download] = await Promise.all([
      tab.page.waitForEvent('download'),
      tab.page.getByTestId('profile-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('tiny_detector-weights_manifest-profile.csv');
    const csv = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\n');
    expect(csv.map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
      'layer,name,kind,kernel,filters',
      `1,conv0/filters,conv2d,3x3x1x${n},${n}`,
      `2,conv1/depthwise_filter,depthwise,3x3x${n}x1,${n}`,
    ]);
    expect(tab.errors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder picked with the folder input opens the chosen manifest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kleinscope-faceapi-'));
  try {
    faceApiFolder(dir, 120);
    await tab.page.goto(inject('baseURL') + '/?backend=cpu');
    await tab.page.getByTestId('source-model').check();
    await tab.page.getByTestId('model-folder').setInputFiles(dir);
    const choices = tab.page.getByTestId('model-manifest').locator('option:not([disabled])');
    await expect
      .poll(() => choices.allTextContents())
      .toEqual(['other_net-weights_manifest.json', 'tiny_detector-weights_manifest.json']);
    // Without a choice the lab says what to do instead of guessing.
    await tab.page.getByTestId('start').click();
    await tab.page.getByText(/^The files hold 2 manifests \(.*\): choose one\.$/).waitFor();
    await tab.page.getByTestId('model-manifest').selectOption('other_net-weights_manifest.json');
    await tab.page.getByTestId('start').click();
    await expect
      .poll(() => tab.page.getByTestId('profile-status').textContent(), { timeout: 120_000 })
      .toMatch(/^\s*1 of 1 3x3 layers analysed/);
    expect(tab.errors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
