// `kleinscope reproduce` end to end on tiny settings: MNIST in two worker processes, a generated CIFAR-10 batch
// file in the official format, and a folder of generated PNG and JPEG photos. Runs the built CLI (npm test builds
// it first; by hand: node src/cli/build.js).
import { afterAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { validateResult } from '../../src/lib/result/validate';
import { manifestSchema } from '../../src/lib/nn/manifest';
import { RECORD_BYTES } from '../../src/lib/nn/datasets/cifar10';
import { recipeOf, type ReproduceSummary } from '../../src/cli/reproduce/common';

const cli = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-reproduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, 'emergence.json'), 'utf8')) as ReproduceSummary;

/** A smooth photo-like grey image with edges in several directions, as RGBA. */
function picture(width: number, height: number, phase: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 100 * Math.sin((x * Math.cos(phase) + y * Math.sin(phase)) / 3) * Math.cos((x - y) / 11);
      rgba.set([v, v * 0.9, v * 0.8, 255], (y * width + x) * 4);
    }
  }
  return rgba;
}

describe('kleinscope reproduce', () => {
  test(
    'mnist: trains in two processes, analyses every step and layer, prints and saves the table',
    { timeout: 300_000 },
    () => {
      const out = join(dir, 'mnist');
      const args = ['reproduce', 'mnist', '--runs', '3', '--steps', '2,4', '--workers', '2', '--out', out];
      const r = run(...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/emergence of the primary circle: 3 runs of mnist-paper, core X\(50,30\)/);
      expect(r.stdout).toMatch(/step\s+layer\s+test acc\s+longest H1\s+next H1\s+ratio\s+Mapper loops\s+near axes/);
      expect(r.stdout).toMatch(/\[part 1, runs 1-2\] run 2 step 4:/);
      // The parts' runs merge into one training folder that analyze reads like any other.
      const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
      expect(manifest.complete).toBe(true);
      expect(manifest.init).toBe('pytorch');
      // The paper preset trains as its PyTorch reference: torch.optim.Adam's epsilon, batches with replacement.
      expect([manifest.adamEpsilon, manifest.adamForm, manifest.sampling]).toEqual([
        1e-8,
        'pytorch',
        'with-replacement',
      ]);
      expect(manifest.runRange).toBeUndefined();
      expect(manifest.snapshots.map((s) => `${s.run}@${s.step}`)).toEqual(['0@2', '0@4', '1@2', '1@4', '2@2', '2@4']);
      const a = run('analyze', out, '--layer', '1', '--step', '4', '--k', '50', '--out', join(dir, 'a.json'));
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(/192\/192 filters kept/);

      const summary = summaryOf(out);
      expect(summary.rows.map((row) => [row.step, row.layer])).toEqual([
        [2, 1],
        [2, 2],
        [4, 1],
        [4, 2],
      ]);
      expect(summary.results).toEqual([
        'results/step-0000002-layer1.json',
        'results/step-0000002-layer2.json',
        'results/step-0000004-layer1.json',
        'results/step-0000004-layer2.json',
      ]);
      const acc = manifest.snapshots.filter((s) => s.step === 4).reduce((t, s) => t + s.accuracy, 0) / 3;
      expect(summary.rows[2]!.accuracy).toBeCloseTo(acc, 12);
      for (const [i, file] of summary.results.entries()) {
        const v = validateResult(JSON.parse(readFileSync(join(out, file), 'utf8')));
        expect(v.ok).toBe(true);
        if (!v.ok) continue;
        expect(v.value.source).toMatchObject({ kind: 'training', runs: 3, step: summary.rows[i]!.step });
        expect(v.value.preprocessing).toMatchObject({ k: 50, p: 30 });
        expect(v.value.description).toBe(
          `Made by \`kleinscope reproduce mnist --runs 3 --steps 2,4\` (${file} of its --out folder).`,
        );
        // The table's numbers are the document's.
        const h1 = v.value.persistence.diagrams[1]!.map(([b, d]) => (d ?? v.value.persistence.threshold!) - b);
        expect(summary.rows[i]!.longest).toBeCloseTo(Math.max(0, ...h1), 12);
        expect(summary.rows[i]!.nearAxes).toBe(v.value.modelFit.primaryCircle.shareHorizontalVertical);
      }

      // Run again: nothing is trained or analysed anew, the same table comes back.
      const before = readFileSync(join(out, summary.results[0]!), 'utf8');
      const again = run(...args);
      expect(again.code).toBe(0);
      expect(again.stdout).not.toMatch(/analysing|run \d step/);
      expect(readFileSync(join(out, summary.results[0]!), 'utf8')).toBe(before);
      expect(summaryOf(out).rows).toEqual(summary.rows);
    },
  );

  test('cifar10: the official binary batch format, both conv layers of cifar-paper', { timeout: 300_000 }, () => {
    const data = join(dir, 'cifar');
    mkdirSync(data);
    const n = 40;
    const bytes = new Uint8Array(n * RECORD_BYTES);
    for (let i = 0; i < n; i++) {
      bytes[i * RECORD_BYTES] = i % 10;
      for (let j = 1; j < RECORD_BYTES; j++) bytes[i * RECORD_BYTES + j] = (i * 37 + j * 11 + ((j * j) % 17)) & 255;
    }
    writeFileSync(join(data, 'data_batch_1.bin'), bytes);
    const out = join(dir, 'cifar-out');
    const r = run('reproduce', `cifar10:${data}`, '--runs', '1', '--steps', '2', '--workers', '1', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = summaryOf(out);
    expect(summary.architecture).toBe('cifar-paper');
    expect(summary.rows.map((row) => row.layer)).toEqual([1, 2]);
    const doc = JSON.parse(readFileSync(join(out, summary.results[1]!), 'utf8'));
    expect(doc.preprocessing.nInput).toBe(64 * 32);
  });

  test(
    'photos: a folder of PNG and JPEG files becomes one X(k,30) analysis of its high-contrast patches',
    { timeout: 300_000 },
    () => {
      const photos = join(dir, 'photos');
      mkdirSync(photos);
      const png = new PNG({ width: 48, height: 40 });
      png.data.set(picture(48, 40, 0.3));
      writeFileSync(join(photos, 'a.png'), PNG.sync.write(png));
      const jpg = jpeg.encode({ width: 40, height: 48, data: picture(40, 48, 1.2) }, 95);
      writeFileSync(join(photos, 'b.jpg'), jpg.data);
      writeFileSync(join(photos, 'notes.txt'), 'not a photo');
      const out = join(dir, 'photos-out');
      const r = run('reproduce', `photos:${photos}`, '--k', '30', '--out', out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = summaryOf(out);
      expect(summary.results).toEqual(['results/photos.json']);
      expect(summary.rows).toHaveLength(1);
      expect(summary.rows[0]).toMatchObject({ step: null, layer: null, accuracy: null });
      const doc = JSON.parse(readFileSync(join(out, 'results/photos.json'), 'utf8'));
      // 5,000 patches drawn per photo, the top 20% by contrast kept.
      expect(doc.preprocessing.nInput).toBe(2000);
      expect(doc.source).toMatchObject({ kind: 'file', dataset: 'photographs', file: 'a.png, b.jpg' });
    },
  );

  test('bad input: one line naming what is wrong, and nothing written', { timeout: 300_000 }, () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'x.png'), 'not really a png');
    const cases: Array<[string[], RegExp]> = [
      [['reproduce', 'mnistt', '--out', 'o1'], /'mnistt' is not mnist, cifar10:PATH or photos:DIR/],
      [['reproduce', 'mnist'], /--out DIR is required/],
      [['reproduce', 'mnist', '--steps', '100,x', '--out', 'o2'], /--steps: 'x' is not a positive step number/],
      [['reproduce', `photos:${broken}`, '--out', 'o3'], /x\.png: cannot decode the image/],
      [['reproduce', `photos:${broken}`, '--runs', '3', '--out', 'o4'], /--runs has no meaning for photos/],
      [['reproduce', 'photos:nowhere', '--out', 'o5'], /photos:nowhere: no such folder/],
      [['reproduce', 'cifar10:nowhere', '--out', 'o6'], /nowhere: no such file or folder/],
      [
        ['reproduce', 'mnist', '--sampling', 'bootstrap', '--out', 'o7'],
        /--sampling: 'bootstrap' is not without-replacement or with-replacement/,
      ],
      [['reproduce', 'mnist', '--adam-epsilon', '0', '--out', 'o8'], /--adam-epsilon/],
      [['reproduce', 'mnist', '--adam-form', 'sgd', '--out', 'o9'], /--adam-form: 'sgd' is not keras or pytorch/],
      [
        ['reproduce', `photos:${broken}`, '--adam-epsilon', '1e-8', '--out', 'o4'],
        /--adam-epsilon has no meaning for photos/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(dir).filter((f) => /^o\d$/.test(f))).toEqual([]);
  });

  test('the recipe in a document leaves out where it was written and how many processes made it', () => {
    expect(recipeOf(['mnist', '--runs', '30', '--out', '/tmp/x', '--workers=4', '--publish', '--quiet'])).toBe(
      'kleinscope reproduce mnist --runs 30',
    );
    expect(recipeOf(['photos:my photos', '--k', '300'])).toBe("kleinscope reproduce 'photos:my photos' --k 300");
  });
});
