// A result document may be published, so its source names input files by their base name, never by the folder
// they sat in on this machine: one test per kind of input that `kleinscope analyze` (and the lab) reads.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLoader } from '../../src/cli/inputs';
import { MANIFEST_FORMAT, kernelPath, type Manifest } from '../../src/lib/nn/manifest';
import { publicFileName } from '../../src/lib/result/sourceFile';
import { npyBytes } from './analysisNpy';
import { saveGraphModel, saveWeightsManifest } from './modelImportFixture';

const dir = mkdtempSync(join(tmpdir(), 'kleinscope-source-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const filters = Float32Array.from({ length: 9 * 40 }, (_, i) => Math.sin(i * 1.7) + (i % 9) * 0.1);

async function sourceOf(path: string, options: { layer?: number; step?: number } = {}) {
  const { source } = await findLoader(path).load(path, options);
  // Nothing in the record, in any field, names the local folder.
  expect(JSON.stringify(source)).not.toContain(dir);
  return source;
}

describe('source.file is a base name for every input kind', () => {
  test('a CSV of filters', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => Array.from(filters.subarray(i * 9, i * 9 + 9)).join(','));
    writeFileSync(join(dir, 'filters.csv'), rows.join('\n') + '\n');
    expect((await sourceOf(join(dir, 'filters.csv'))).file).toBe('filters.csv');
  });

  test('a JSON array of filters', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => Array.from(filters.subarray(i * 9, i * 9 + 9)));
    writeFileSync(join(dir, 'filters.json'), JSON.stringify(rows));
    expect((await sourceOf(join(dir, 'filters.json'))).file).toBe('filters.json');
  });

  test('a .npy kernel', async () => {
    writeFileSync(join(dir, 'conv1.npy'), npyBytes(filters, [3, 3, 4, 10]));
    expect((await sourceOf(join(dir, 'conv1.npy'))).file).toBe('conv1.npy');
  });

  test('a bare weights manifest (face-api.js style)', async () => {
    const saved = saveWeightsManifest(join(dir, 'models', 'face'), 'face_recognition_model');
    const source = await sourceOf(saved.path, { layer: 1 });
    expect(source.file).toBe('face_recognition_model-weights_manifest.json');
  });

  test('a graph model.json', async () => {
    const saved = saveGraphModel(join(dir, 'graph'));
    const source = await sourceOf(saved.modelJson, { layer: 1 });
    expect(source.file).toBe('model.json');
  });

  test('a kleinscope train folder', async () => {
    const train = join(dir, 'runs', 'mnist');
    const file = kernelPath(0, 10, 1);
    mkdirSync(join(train, file, '..'), { recursive: true });
    writeFileSync(join(train, file), npyBytes(filters, [3, 3, 1, 40]));
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      complete: true,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      backend: 'cpu',
      dataset: 'mnist',
      datasetArg: `mnist:${join(dir, 'data')}`,
      architecture: { name: 'mnist-paper', inputShape: [28, 28, 1], conv: [40], dense: [10], classes: 10 },
      runs: 1,
      steps: 10,
      batchSize: 8,
      learningRate: 0.001,
      seed: 1,
      evalSize: 10,
      snapshotSteps: [10],
      snapshots: [
        { run: 0, seed: 1, step: 10, loss: 1, accuracy: 0.5, kernels: [{ layer: 1, shape: [3, 3, 1, 40], file }] },
      ],
    };
    writeFileSync(join(train, 'manifest.json'), JSON.stringify(manifest));
    const source = await sourceOf(train, { layer: 1 });
    expect(source).toMatchObject({ kind: 'training', runs: 1, step: 10, layer: 1 });
  });
});

describe('publicFileName', () => {
  test('cuts POSIX and Windows paths to their base name', () => {
    expect(publicFileName('/home/ann/models/face/face-weights_manifest.json')).toBe('face-weights_manifest.json');
    expect(publicFileName('C:\\Users\\ann\\model.json')).toBe('model.json');
    expect(publicFileName('model.json')).toBe('model.json');
    expect(publicFileName('./a/b/')).toBe('b');
  });

  test('keeps a public URL, less its query and fragment', () => {
    expect(publicFileName('https://example.org/m/model.json?sig=SECRET#x')).toBe('https://example.org/m/model.json');
  });
});
