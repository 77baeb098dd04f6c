// `kleinscope layers` end to end through the built CLI (npm test builds it first; alone: node src/cli/build.js).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { saveGraphModel, saveModel, saveWeightsManifest, vggLike } from './modelImportFixture';

const cli = fileURLToPath(new URL('../../src/cli/kleinscope.js', import.meta.url));
let root: string;
let modelJson: string;

function kleinscope(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kleinscope-layers-'));
  modelJson = (await saveModel(vggLike(), join(root, 'vgg'))).modelJson;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kleinscope layers', () => {
  test('prints one row per conv layer, indexed from 1, with kernel shape and spatial filter count', async () => {
    const r = await kleinscope('layers', modelJson);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${modelJson}: layers-model 'tiny_vgg', 6 conv layers`);
    expect(lines[1].split(/\s+/)).toEqual(['layer', 'name', 'op', 'kernel', 'filters', 'note']);
    const rows = lines.slice(2, 8).map((l) => l.trim().split(/\s{2,}/));
    expect(rows).toEqual([
      ['1', 'block1_conv1', 'Conv2D', '3x3x3x8', '24'],
      ['2', 'block1_conv2', 'Conv2D', '3x3x8x8', '64'],
      ['3', 'block2_conv5x5', 'Conv2D', '5x5x8x6', '48', 'not 3x3: the analysis refuses it'],
      ['4', 'block2_conv1x1', 'Conv2D', '1x1x6x4', '24', 'not 3x3: the analysis refuses it'],
      ['5', 'block3_conv1', 'Conv2D', '3x3x4x16', '64'],
      ['6', 'block3_dw', 'DepthwiseConv2D', '3x3x16x2', '32'],
    ]);
  });

  test('--json gives the same list as data, and graph models work too', async () => {
    const g = saveGraphModel(join(root, 'graph'));
    const r = await kleinscope('layers', g.modelJson, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.format).toBe('graph-model');
    expect(out.layers.map((l: { name: string; kernelShape: number[] }) => [l.name, l.kernelShape])).toEqual([
      ['g/conv1', [3, 3, 2, 4]],
      ['g/conv2', [5, 5, 4, 3]],
      ['g/conv3', [3, 3, 3, 2]],
    ]);
  });

  test('bad models: one line on stderr naming the file, non-zero exit, nothing on stdout', async () => {
    const notJson = join(root, 'not.json');
    writeFileSync(notJson, 'hello');
    const notModel = join(root, 'notmodel.json');
    writeFileSync(notModel, '{"layers": []}');
    const cut = await saveModel(vggLike(), join(root, 'cut'));
    truncateSync(join(cut.dir, 'weights.bin'), 100);
    const cases: Array<[string[], RegExp]> = [
      [[notJson], new RegExp(`^kleinscope layers: ${notJson}: not JSON \\(.*\\)\n$`)],
      [
        [notModel],
        new RegExp(
          `^kleinscope layers: ${notModel}: not a TensorFlow.js model or weights manifest: it has no 'modelTopology' or 'weightsManifest'\n$`,
        ),
      ],
      [
        [cut.modelJson],
        new RegExp(
          `^kleinscope layers: ${join(cut.dir, 'weights.bin')}: truncated or from another model: 100 bytes, .*\n$`,
        ),
      ],
      [[join(root, 'absent.json')], /^kleinscope layers: .*absent.json: missing: no such file\n$/],
      [[], /^kleinscope layers: expected one MODEL.json or weights manifest\nusage: /],
    ];
    for (const [args, want] of cases) {
      const r = await kleinscope('layers', ...args);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(want);
    }
  });
});

test('a reader that stops early (kleinscope layers M | head) gets no stack trace', async () => {
  const child = spawn(process.execPath, [cli, 'layers', modelJson]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Closing our end before the CLI writes makes its first write fail with EPIPE, as `head` exiting does.
  child.stdout.destroy();
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});

describe('a face-api.js style weights manifest (quantized, no topology)', () => {
  test('layers lists every 3x3 kernel with shape and filter count; analyze reads any of them', async () => {
    const m = saveWeightsManifest(join(root, 'faceapi'));
    const r = await kleinscope('layers', m.path);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `${m.path}: weights-manifest, 6 conv layers (kernels found by shape: every 4-d [k,k,cin,cout] tensor)`,
    );
    const rows = lines.slice(2, 8).map((l) => l.trim().split(/\s{2,}/));
    expect(rows.map((row) => row.slice(0, 5))).toEqual([
      ['1', 'conv0/filters', 'conv (by shape)', '3x3x3x16', '48'],
      ['2', 'conv1/depthwise_filter', 'depthwise (by shape)', '3x3x16x1', '16'],
      ['3', 'conv1/pointwise_filter', 'conv (by shape)', '1x1x16x32', '512'],
      ['4', 'conv2/filters', 'conv (by shape)', '3x3x32x8', '256'],
      ['5', 'conv3/filters', 'conv (by shape)', '5x5x8x4', '32'],
      ['6', 'conv4/filters', 'conv (by shape)', '3x3x8x6', '48'],
    ]);
    for (const layer of ['1', '2', '4', '6']) {
      const out = join(root, `faceapi-${layer}.json`);
      const a = await kleinscope('analyze', m.path, '--layer', layer, '--k', '5', '--out', out);
      expect(a.stderr, `layer ${layer}`).toBe('');
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      expect(doc.source.layer).toBe(Number(layer));
      expect(doc.preprocessing.nInput).toBe(Number(rows[Number(layer) - 1][4]));
    }
    truncateSync(join(m.dir, m.shards[0][0]), 10);
    const cut = await kleinscope('analyze', m.path, '--layer', '1', '--out', join(root, 'never.json'));
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(
      new RegExp(
        `^kleinscope analyze: ${join(m.dir, m.shards[0][0])}: truncated or from another model: 10 bytes, [^\n]*\n$`,
      ),
    );
  });
});

describe('kleinscope analyze MODEL.json --layer N', () => {
  test('analyses one layer on a seeded subsample and records it in the source', async () => {
    const out = join(root, 'layer2.json');
    const args = ['analyze', modelJson, '--layer', '2', '--max-filters', '20', '--seed', '3', '--k', '8'];
    const r = await kleinscope(...args, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.source).toMatchObject({
      kind: 'model',
      architecture: 'tiny_vgg',
      layer: 2,
      layerName: 'block1_conv2',
      kernelShape: [3, 3, 8, 8],
      subsample: { of: 64, taken: 20, seed: 3 },
    });
    expect(doc.preprocessing.nInput).toBe(20);
  });

  test('a non-3x3 layer, a missing layer flag, and a missing shard: one line, no output file', async () => {
    const out = join(root, 'never.json');
    const broken = await saveModel(vggLike(), join(root, 'noshard'));
    unlinkSync(join(broken.dir, 'weights.bin'));
    const cases: Array<[string[], RegExp]> = [
      [
        [modelJson, '--layer', '3'],
        /--layer: layer 3 \(Conv2D 'block2_conv5x5'\) has 5x5 kernels; .*3x3 kernels: 1, 2, 5, 6\)\n$/,
      ],
      [[modelJson], /pick one with --layer N \(list them with: kleinscope layers .*\)\n$/],
      [[broken.modelJson, '--layer', '1'], /weights.bin: missing: no such file \(listed in .*model.json\)\n$/],
    ];
    for (const [args, want] of cases) {
      const r = await kleinscope('analyze', ...args, '--out', out);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^kleinscope analyze: .*${want.source}`));
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
  });
});
