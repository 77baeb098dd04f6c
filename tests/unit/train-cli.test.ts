import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { decodeNpy } from '../../src/lib/nn/npy';
import { manifestSchema } from '../../src/lib/nn/manifest';
import { loadSnapshotDir } from '../../src/cli/inputs/snapshotDir';

const CLI = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = (args: string[]) => spawnSync(process.execPath, [CLI, 'train', ...args], { encoding: 'utf8' });
const common = [
  '--dataset',
  'mnist',
  '--arch',
  'mnist-paper',
  '--runs',
  '2',
  '--batch',
  '16',
  '--seed',
  '5',
  '--eval',
  '50',
  '--workers',
  '1',
];

/** Every file under `root` (relative paths, sorted). */
const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();

/** A manifest without the timestamps, which are all that may differ between two trainings of the same runs. */
const manifestOf = (out: string) => {
  const { createdAt: _c, updatedAt: _u, ...rest } = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  void [_c, _u];
  return rest;
};

/** The folders hold the same files, byte for byte, and the same manifest. */
function expectSameFolder(a: string, b: string) {
  expect(filesUnder(b)).toEqual(filesUnder(a));
  for (const file of filesUnder(a)) {
    if (file !== 'manifest.json')
      expect(readFileSync(join(b, file)).equals(readFileSync(join(a, file))), file).toBe(true);
  }
  expect(manifestOf(b)).toEqual(manifestOf(a));
}

describe('kleinscope train', () => {
  it('writes a manifest and .npy kernels that analyze reads back, pooled over runs', () => {
    const out = join(dir, 'ok');
    const r = train([...common, '--steps', '2', '--snapshots', '0,2', '--ensemble', '2', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/run 1 step 2: loss \d\.\d{4}, test accuracy \d\.\d{4}/);
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest.complete).toBe(true);
    expect(manifest.backend).toBe('wasm');
    expect(manifest.snapshotSteps).toEqual([0, 2]);
    expect(manifest.snapshots.map((s) => [s.run, s.step])).toEqual([
      [0, 0],
      [0, 2],
      [1, 0],
      [1, 2],
    ]);
    const k = manifest.snapshots[3].kernels[1];
    expect(k.shape).toEqual([3, 3, 64, 8]);
    const npy = decodeNpy(new Uint8Array(readFileSync(join(out, k.file))));
    expect(npy.shape).toEqual([3, 3, 64, 8]);
    expect(npy.data.some((v) => v !== 0)).toBe(true);

    const layer1 = loadSnapshotDir(out, { layer: 1, step: 2 });
    expect(layer1.n).toBe(2 * 64);
    expect(layer1.source).toMatchObject({ kind: 'training', dataset: 'mnist', runs: 2, step: 2, layer: 1 });
    // Named as the lab names its trainings' layers ("layer 1"), not by the file's "conv1".
    expect(layer1.source.layerName).toBeUndefined();
    const conv1 = decodeNpy(new Uint8Array(readFileSync(join(out, manifest.snapshots[1].kernels[0].file))));
    // Filter 5 of run 0 is output channel 5 of conv1: pixels at data[p * 64 + 5].
    expect(Array.from(layer1.filters.subarray(45, 54))).toEqual(
      Array.from({ length: 9 }, (_, p) => conv1.data[p * 64 + 5]),
    );
    expect(loadSnapshotDir(out, { layer: 2 }).n).toBe(2 * 64 * 8);
    expect(() => loadSnapshotDir(out, { layer: 3, step: 2 })).toThrow(/--layer 3: mnist-paper has conv layers 1 to 2/);
    expect(() => loadSnapshotDir(out, { layer: 1, step: 1 })).toThrow(
      /--step 1: no snapshot at that step; .* has steps 0, 2/,
    );

    // The whole chain through the CLI: `analyze DIR` pools layer 1 at step 2 into a valid result document.
    const result = join(dir, 'layer1.json');
    const analyze = spawnSync(
      process.execPath,
      [CLI, 'analyze', out, '--layer', '1', '--step', '2', '--k', '10', '--out', result],
      { encoding: 'utf8' },
    );
    expect(analyze.stderr).toBe('');
    expect(analyze.status).toBe(0);
    const doc = JSON.parse(readFileSync(result, 'utf8'));
    expect(doc.source).toMatchObject({ kind: 'training', runs: 2, step: 2, layer: 1 });
    expect(doc.preprocessing.nInput).toBe(2 * 64);
    const noLayer = spawnSync(process.execPath, [CLI, 'analyze', out, '--out', join(dir, 'x.json')], {
      encoding: 'utf8',
    });
    expect(noLayer.status).toBe(2);
    expect(noLayer.stderr).toMatch(/pick a conv layer with --layer L/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);

    // The same command again: nothing to do, nothing overwritten.
    const again = train([...common, '--steps', '2', '--snapshots', '0,2', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/this training is already complete/);
  });

  it('records the optimiser and sampling in the manifest, and will not resume a folder under other ones', () => {
    const out = join(dir, 'torch');
    const torch = ['--adam-epsilon', '1e-8', '--adam-form', 'pytorch', '--sampling', 'with-replacement'];
    const args = [...common, '--steps', '2', '--snapshots', '2', '--out', out];
    const r = train([...args, ...torch]);
    expect(r.status).toBe(0);
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect([manifest.adamEpsilon, manifest.adamForm, manifest.sampling]).toEqual([1e-8, 'pytorch', 'with-replacement']);
    // The same folder with the defaults (Keras's epsilon, a permutation) is another training.
    const other = train(args);
    expect(other.status).not.toBe(0);
    expect(other.stderr.trim()).toMatch(/holds a different training/);
  });

  it('resumes after an interruption, on the other backend too, and ends where an uninterrupted run ends', async () => {
    const args = [...common, '--steps', '6', '--snapshots', '2,6'];
    const whole = join(dir, 'whole');
    expect(train([...args, '--out', whole]).status).toBe(0);

    const cut = join(dir, 'cut');
    const child = spawn(process.execPath, [CLI, 'train', ...args, '--out', cut], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Ctrl-C as soon as run 0 has its step-2 snapshot, well before step 6.
      if (stdout.includes('run 0 step 2')) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; rerun the same command to resume/);
    const partial = manifestSchema.parse(JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8')));
    expect(partial.complete).toBe(false);
    expect(partial.snapshots.every((s) => s.step === 2)).toBe(true);

    // Interrupted on wasm (the default), finished on cpu: a checkpoint is plain float32 data.
    const resumed = train([...args, '--backend', 'cpu', '--out', cut]);
    expect(resumed.status).toBe(0);
    const final = manifestSchema.parse(JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8')));
    expect([final.backend, final.backends]).toEqual(['cpu', ['wasm', 'cpu']]);
    expect(resumed.stderr).toMatch(
      /resuming .*: 1 of 2 runs have checkpoints|resuming .*: 2 of 2 runs have checkpoints/,
    );
    for (const run of ['run-000', 'run-001']) {
      for (const layer of [1, 2]) {
        const file = `kernels/${run}/step-0000006-conv${layer}.npy`;
        const a = decodeNpy(new Uint8Array(readFileSync(join(whole, file)))).data;
        const b = decodeNpy(new Uint8Array(readFileSync(join(cut, file)))).data;
        let diff = 0;
        a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - b[i]))));
        // The backends round differently (summation order), far below what training changes in 4 steps.
        expect(diff).toBeLessThan(1e-5);
      }
    }
  });

  it(
    'shares the runs among processes, writing the folder one process writes, and resumes with any count',
    { timeout: 240_000 },
    async () => {
      const args = [...common.slice(0, -2), '--runs', '3', '--steps', '6', '--snapshots', '2,6'];
      const one = join(dir, 'one');
      expect(train([...args, '--workers', '1', '--out', one]).status).toBe(0);

      const two = join(dir, 'two');
      const r = train([...args, '--workers', '2', '--out', two]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // Each process's lines say which runs it trains; the last line is the whole training's.
      expect(r.stdout).toMatch(/^\[part 1, runs 1-2\] run 2 step 6: loss \d\.\d{4}/m);
      expect(r.stdout).toMatch(/^\[part 0, run 0\] run 0 step 2: /m);
      expect(r.stdout.trim().split('\n').at(-1)).toMatch(
        /^wrote 6 snapshots of 3 runs to .*two\/manifest\.json \(2 processes/,
      );
      expectSameFolder(one, two);

      // Ctrl-C (to the command alone, as a script would send it) once a process has a snapshot: the processes
      // stop, their snapshots are in manifest.json, and the folder resumes in one process or in three.
      for (const resumeWith of ['1', '3']) {
        const cut = join(dir, `cut-${resumeWith}`);
        const child = spawn(process.execPath, [CLI, 'train', ...args, '--workers', '2', '--out', cut], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (/step 2: loss/.test(stdout) && child.exitCode === null) child.kill('SIGINT');
        });
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(code).toBe(130);
        expect(stderr.trim().split('\n').at(-1)).toMatch(/^kleinscope train: interrupted; rerun the same command/);
        expect(existsSync(join(cut, 'parts'))).toBe(false);
        const partial = manifestSchema.parse(JSON.parse(readFileSync(join(cut, 'manifest.json'), 'utf8')));
        expect(partial.complete).toBe(false);
        expect(partial.runRange).toBeUndefined();
        expect(partial.snapshots.length).toBeGreaterThan(0);
        expect(partial.snapshots.length).toBeLessThan(6);

        const resumed = train([...args, '--workers', resumeWith, '--out', cut]);
        expect(resumed.status).toBe(0);
        expect(resumed.stderr).toMatch(/resuming /);
        expectSameFolder(one, cut);
      }

      // The layout earlier versions of `reproduce --workers` left while training, a whole folder per process in
      // parts/N with manifest.json written only at the end, is moved into this one.
      const legacy = join(dir, 'legacy');
      const whole = manifestSchema.parse(JSON.parse(readFileSync(join(one, 'manifest.json'), 'utf8')));
      for (const [n, range] of [
        [0, [0, 1]],
        [1, [1, 3]],
      ] as const) {
        const part = join(legacy, 'parts', String(n));
        for (let r = range[0]; r < range[1]; r++) {
          const run = `run-00${r}`;
          cpSync(join(one, 'kernels', run), join(part, 'kernels', run), { recursive: true });
          cpSync(join(one, 'checkpoints', `${run}.ckpt`), join(part, 'checkpoints', `${run}.ckpt`));
        }
        const snapshots = whole.snapshots.filter((s) => s.run >= range[0] && s.run < range[1]);
        writeFileSync(join(part, 'manifest.json'), JSON.stringify({ ...whole, runRange: range, snapshots }));
      }
      const moved = train([...args, '--workers', '2', '--out', legacy]);
      expect(moved.stderr).toMatch(/this training is already complete/);
      expectSameFolder(one, legacy);
    },
  );

  it.each([
    [['--dataset', 'imagenet'], 2, /--dataset: unknown dataset 'imagenet'; use mnist or cifar10:PATH/],
    [['--arch', 'resnet'], 2, /--arch: unknown architecture 'resnet'; known: mnist-paper, cifar-paper/],
    [['--arch', 'custom:8,x'], 2, /--arch: 'x' in 'custom:8,x' is not a filter count/],
    [['--arch', 'cifar-paper'], 2, /takes 32x32x3 images but dataset mnist has 28x28x1/],
    [['--runs', '0'], 2, /--runs: 0 is below 1/],
    [['--batch', 'many'], 2, /--batch: 'many' is not a number/],
    [['--steps', '1.5'], 2, /--steps: '1.5' is not an integer/],
    [['--steps', '10', '--snapshots', '5,20'], 2, /--snapshots: step 20 is after the last step \(--steps 10\)/],
    [['--snapshots', '5,x'], 2, /--snapshots: 'x' is not a step number/],
    [['--seed=-1'], 2, /--seed: -1 is below 0/],
    [['--backend', 'webgl'], 2, /--backend: 'webgl' is not wasm or cpu/],
    [['--adam-epsilon', '0'], 2, /--adam-epsilon: 0 is below 1e-12/],
    [['--adam-form', 'sgd'], 2, /--adam-form: 'sgd' is not keras or pytorch/],
    [['--sampling', 'bootstrap'], 2, /--sampling: 'bootstrap' is not without-replacement or with-replacement/],
  ])('refuses %j', (extra, status, message) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const r = train([...common, ...extra, '--out', out]);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^kleinscope train: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses bad input in the command that starts the processes: one line, before any process trains', () => {
    const two = [...common.slice(0, -2), '--workers', '2'];
    const arch = train([...two, '--arch', 'resnet', '--out', join(dir, 'bad-two')]);
    expect([arch.status, arch.stderr]).toEqual([
      2,
      expect.stringMatching(/^kleinscope train: --arch: unknown architecture 'resnet'[^\n]*\n$/),
    ]);
    expect(existsSync(join(dir, 'bad-two'))).toBe(false);

    const busy = join(dir, 'busy-two');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const occupied = train([...two, '--out', busy]);
    expect(occupied.status).toBe(1);
    expect(occupied.stderr).toMatch(
      /^kleinscope train: --out .*busy-two: the folder is not empty and holds no training[^\n]*\n$/,
    );
    expect(readdirSync(busy)).toEqual(['notes.txt']);

    // A part's record that is not one: named, with what to do.
    const broken = join(dir, 'broken-part');
    mkdirSync(join(broken, 'parts'), { recursive: true });
    writeFileSync(join(broken, 'parts', 'runs-000-001.json'), '{"format":');
    const bad = train([...two, '--out', broken]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^kleinscope train: .*runs-000-001\.json: not valid JSON/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a non-writable or occupied folder and bad CIFAR-10 files, writing nothing', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const notDir = train([...common, '--out', join(blocker, 'sub')]);
    expect(notDir.status).toBe(1);
    expect(notDir.stderr).toMatch(/--out .*a-file\/sub: cannot write there \(ENOTDIR\)/);

    const busy = join(dir, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const occupied = train([...common, '--out', busy]);
    expect(occupied.stderr).toMatch(/the folder is not empty and holds no training/);
    expect(readdirSync(busy)).toEqual(['notes.txt']);

    const cifar = join(dir, 'cifar');
    mkdirSync(cifar);
    writeFileSync(join(cifar, 'data_batch_1.bin'), new Uint8Array(3073 * 2 + 5));
    const bad = train(['--dataset', `cifar10:${cifar}`, '--arch', 'cifar-paper', '--out', join(dir, 'c1')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/data_batch_1\.bin: 6151 bytes is not a whole number of 3073-byte CIFAR-10 records/);
    const none = train(['--dataset', `cifar10:${join(dir, 'nowhere')}`, '--out', join(dir, 'c2')]);
    expect(none.stderr).toMatch(/nowhere: no such file or folder/);
    expect(existsSync(join(dir, 'c1')) || existsSync(join(dir, 'c2'))).toBe(false);
  });
});
