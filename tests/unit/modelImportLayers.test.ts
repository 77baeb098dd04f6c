import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { analyzeModelLayers, type ModelLayersProgress } from '../../src/lib/analysis/modelLayers';
import { openModelFile } from '../../src/lib/nn/modelImportNode';
import { validateResult } from '../../src/lib/result/validate';
import { saveModel, vggLike } from './modelImportFixture';

let root: string;
let modelJson: string;
const small = { k: 8, p: 50, resolution: 5, gain: 2 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'kleinscope-modellayers-'));
  modelJson = (await saveModel(vggLike(), join(root, 'vgg'))).modelJson;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('analyzeModelLayers', () => {
  test('analyses every 3x3 conv layer, skips the others, and reports progress to the end', async () => {
    const model = await openModelFile(modelJson);
    const progress: ModelLayersProgress[] = [];
    const finished: number[] = [];
    const results = await analyzeModelLayers(
      model,
      { analysis: small, dataset: 'none (random init)' },
      { onProgress: (p) => progress.push(p), onLayer: (r) => finished.push(r.layer.index) },
    );
    expect(results.map((r) => [r.layer.index, r.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
      [3, 'skipped'],
      [4, 'skipped'],
      [5, 'done'],
      [6, 'done'],
    ]);
    expect(finished).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of results) {
      if (r.status === 'skipped') expect(r.reason).toMatch(/^(5x5|1x1) kernels; the analysis takes 3x3 filters only$/);
      if (r.status !== 'done') continue;
      const v = validateResult(JSON.parse(JSON.stringify(r.document)));
      expect(v.ok).toBe(true);
      expect(r.document.source).toMatchObject({
        kind: 'model',
        dataset: 'none (random init)',
        layer: r.layer.index,
        layerName: r.layer.name,
        kernelShape: r.layer.kernelShape,
      });
      expect(r.document.preprocessing.nInput).toBe(r.layer.nFilters);
    }
    const overall = progress.map((p) => p.overall);
    expect(overall.every((v, i) => i === 0 || v >= overall[i - 1])).toBe(true);
    expect(overall.at(-1)).toBe(1);
    expect(new Set(progress.map((p) => p.stage))).toContain('preprocess');
  });

  test('a chosen subset with a subsample cap, and abort stops the run', async () => {
    const model = await openModelFile(modelJson);
    const [r] = await analyzeModelLayers(model, { layers: [2], maxFilters: 20, seed: 9, analysis: small });
    expect(r.status).toBe('done');
    if (r.status === 'done') {
      expect(r.document.source.subsample).toEqual({ of: 64, taken: 20, seed: 9 });
      expect(r.document.preprocessing.nInput).toBe(20);
    }
    await expect(analyzeModelLayers(model, { layers: [9] })).rejects.toThrow('layer 9 does not exist');

    const controller = new AbortController();
    const seen: number[] = [];
    const run = analyzeModelLayers(
      model,
      { analysis: small },
      {
        signal: controller.signal,
        onLayer: (x) => {
          seen.push(x.layer.index);
          controller.abort(new Error('stopped by the user'));
        },
      },
    );
    await expect(run).rejects.toThrow('stopped by the user');
    expect(seen).toEqual([1]);
  });

  test('a layer whose filters are all zero fails alone; the run goes on', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, kernelInitializer: 'zeros', name: 'dead' }),
    );
    m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, name: 'alive' }));
    const dead = await saveModel(m, join(root, 'dead'));
    const results = await analyzeModelLayers(await openModelFile(dead.modelJson), { analysis: small });
    expect(results[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('near zero') });
    expect(results[1].status).toBe('done');
    await expect(
      analyzeModelLayers(await openModelFile(dead.modelJson), { analysis: { ...small, gain: 0 } }),
    ).rejects.toThrow('gain 0 is below 1');
  });
});
