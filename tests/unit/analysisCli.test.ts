// Runs the built CLI (npm test builds it first; by hand: node src/cli/build.js).
import { afterAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateResult } from '../../src/lib/result/validate';
import { circleSample } from './analysisSamples';
import { npyBytes } from './analysisNpy';

const cli = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'analyze', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const { filters } = circleSample(400, { outliers: 0.1, noise: 0.08, seed: 5 });
const rows = Array.from({ length: 400 }, (_, i) => Array.from(filters.subarray(i * 9, i * 9 + 9)).join(','));
writeFileSync(join(dir, 'good.csv'), rows.join('\n') + '\n');

function file(name: string, body: string | Uint8Array): string {
  writeFileSync(join(dir, name), body);
  return name;
}

describe('kleinscope analyze', () => {
  test('a CSV gives a valid result document and a summary line', () => {
    const r = run(
      join(dir, 'good.csv'),
      '--k',
      '20',
      '--resolution',
      '10',
      '--title',
      'circle',
      '--layer',
      '1',
      '--out',
      'r.json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^r\.json: 400\/400 filters kept, core 120 \(k=20, p=30\); Mapper \d+ nodes/);
    // A noisy primary circle: its core is edges on the Klein bottle.
    const atlas = /patterns of the core: Klein bottle ([\d.]+)% \(edge ([\d.]+)%/.exec(r.stdout);
    expect(atlas).not.toBeNull();
    expect(Number(atlas![1])).toBeGreaterThan(90);
    expect(Number(atlas![2])).toBeGreaterThan(80);
    const v = validateResult(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')));
    if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
    expect(v.value.source).toMatchObject({ kind: 'file', dataset: 'good.csv', layer: 1 });
    // A document may be published: it names its input file, never the folder it sat in on this machine.
    expect(v.value.source.file).toBe('good.csv');
    expect(v.value.title).toBe('circle');
    expect(v.value.preprocessing.k).toBe(20);
    expect(v.value.patternAtlas?.labels).toHaveLength(120);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('a TensorFlow kernel .npy [3, 3, cin, cout] is analysed as cin*cout filters', () => {
    // 400 filters as a [3, 3, 20, 20] kernel.
    const kernel = new Float32Array(3600);
    for (let f = 0; f < 400; f++) {
      const co = Math.floor(f / 20);
      const ci = f % 20;
      for (let j = 0; j < 9; j++) kernel[(j * 20 + ci) * 20 + co] = filters[f * 9 + j];
    }
    file('kernel.npy', npyBytes(kernel, [3, 3, 20, 20]));
    const r = run('kernel.npy', '--k', '20', '--resolution', '10', '--out', 'k.json');
    expect(r.stderr).toBe('');
    const doc = JSON.parse(readFileSync(join(dir, 'k.json'), 'utf8'));
    expect(doc.source.kernelShape).toEqual([3, 3, 20, 20]);
    expect(doc.preprocessing.nInput).toBe(400);
  });

  test('no Mapper options: the cover is chosen from the data and the summary says so; --bootstrap and Ball Mapper', () => {
    const r = run(join(dir, 'good.csv'), '--k', '20', '--dim', '0', '--bootstrap', '4', '--out', 'auto.json');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /Mapper \d+ nodes, \d+ edges, \d+ loops? \(automatic: resolution \d+x\d+, gain 3, scale [\d.]+\)/,
    );
    expect(r.stdout).toMatch(/bootstrap 4 resamples/);
    const doc = JSON.parse(readFileSync(join(dir, 'auto.json'), 'utf8'));
    expect(validateResult(doc).ok).toBe(true);
    expect(doc.mapper).toMatchObject({
      chosen: 'auto',
      gain: 3,
      clustering: expect.stringMatching(/^single-linkage at /),
    });
    expect(doc.mapper.bootstrap.resamples).toBe(4);
    expect(doc.mapper.bootstrap.distances).toHaveLength(4);
    expect(doc.mapper.bootstrap.loopCounts).toHaveLength(4);
    const same = run(
      join(dir, 'good.csv'),
      '--k',
      '20',
      '--dim',
      '0',
      '--resolution',
      'auto',
      '--gain',
      'auto',
      '--out',
      'a2.json',
    );
    expect(same.code).toBe(0);
    const doc2 = JSON.parse(readFileSync(join(dir, 'a2.json'), 'utf8'));
    expect(doc2.mapper.nodes).toEqual(doc.mapper.nodes);
    const ball = run(
      join(dir, 'good.csv'),
      '--k',
      '20',
      '--dim',
      '0',
      '--lens',
      'ball',
      '--epsilon',
      '0.5',
      '--out',
      'b.json',
    );
    expect(ball.stdout).toMatch(/fixed: epsilon 0\.5/);
    const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(b.mapper).toMatchObject({ lens: 'ball', chosen: 'fixed', scale: 0.5 });
  });

  const bad: Array<[string, () => string[], RegExp, number?]> = [
    [
      '--resolution many',
      () => ['good.csv', '--resolution', 'many', '--out', 'o.json'],
      /--resolution: 'many' is neither 'auto' nor a number/,
      2,
    ],
    [
      '--epsilon 0',
      () => ['good.csv', '--lens', 'ball', '--epsilon', '0', '--out', 'o.json'],
      /--epsilon: 0 is below/,
      2,
    ],
    [
      '--bootstrap 1.5',
      () => ['good.csv', '--bootstrap', '1.5', '--out', 'o.json'],
      /--bootstrap: '1\.5' is not an integer/,
      2,
    ],
    ['--resamples 2000', () => ['good.csv', '--resamples', '2000', '--out', 'o.json'], /--resamples: .*1000/, 2],
    ['a missing file', () => ['nope.csv', '--out', 'o.json'], /nope\.csv: no such file/],
    [
      'a short CSV line',
      () => [file('short.csv', `${rows[0]}\n${rows[1]}\n1,2,3\n`), '--out', 'o.json'],
      /short\.csv:3: expected 9 values/,
    ],
    [
      'a word in a CSV',
      () => [file('word.csv', `${rows[0]}\n0,1,2,3,x,5,6,7,8\n`), '--out', 'o.json'],
      /word\.csv:2: value 5: 'x' is not a number/,
    ],
    [
      'NaN in a CSV',
      () => [file('nan.csv', `${rows[0]}\nNaN,1,2,3,4,5,6,7,8\n`), '--out', 'o.json'],
      /nan\.csv:2: value 1 is NaN/,
    ],
    [
      'broken JSON',
      () => [file('broken.json', '[[1,2,3,4,5,6,7,8,9],\n[1,2'), '--out', 'o.json'],
      /broken\.json:2: invalid JSON/,
    ],
    [
      'a JSON filter of the wrong size',
      () => [file('size.json', '[[1,2,3,4,5,6,7,8]]'), '--out', 'o.json'],
      /size\.json: filter \[0\]: expected 9 numbers/,
    ],
    [
      'a JSON object',
      () => [file('object.json', '{"a": 1}'), '--out', 'o.json'],
      /object\.json: not a recognised input/,
    ],
    [
      'a truncated .npy',
      () => [file('cut.npy', npyBytes(filters.subarray(0, 90), [10, 3, 3], { truncate: 8 })), '--out', 'o.json'],
      /cut\.npy: \.npy: truncated data/,
    ],
    [
      'a .npy of the wrong shape',
      () => [file('shape.npy', npyBytes(filters.subarray(0, 90), [10, 9, 1])), '--out', 'o.json'],
      /shape\.npy: \.npy: shape \(10, 9, 1\) is not/,
    ],
    ['an empty file', () => [file('empty.csv', ''), '--out', 'o.json'], /empty\.csv: no filters found/],
    [
      'only near-zero filters',
      () => [file('zero.csv', '1,1,1,1,1,1,1,1,1\n2,2,2,2,2,2,2,2,2\n'), '--out', 'o.json'],
      /zero\.csv: only 0 of 2 filters are not near zero/,
    ],
    ['a folder as input', () => ['.', '--out', 'o.json'], /\.: not a recognised input/],
    ['no --out', () => ['good.csv'], /--out RESULT\.json is required/, 2],
    ['two inputs', () => ['good.csv', 'good.csv', '--out', 'o.json'], /expected one INPUT, got 2/, 2],
    ['an unknown option', () => ['good.csv', '--kk', '3', '--out', 'o.json'], /Unknown option '--kk'/, 2],
    ['a non-numeric --k', () => ['good.csv', '--k', 'many', '--out', 'o.json'], /--k: 'many' is not a number/, 2],
    ['--p 0', () => ['good.csv', '--p', '0', '--out', 'o.json'], /--p: 0 is below 0.1/, 2],
    ['--p 101', () => ['good.csv', '--p', '101', '--out', 'o.json'], /--p: 101 is above 100/, 2],
    [
      'a composite --modulus',
      () => ['good.csv', '--modulus', '4', '--out', 'o.json'],
      /--modulus: modulus must be a prime, got 4/,
      2,
    ],
    ['--dim 3', () => ['good.csv', '--dim', '3', '--out', 'o.json'], /--dim: 3 is above 2/, 2],
    ['an unknown --lens', () => ['good.csv', '--lens', 'tsne', '--out', 'o.json'], /--lens: 'tsne' is not one of/, 2],
    ['--gain 0.5', () => ['good.csv', '--gain', '0.5', '--out', 'o.json'], /--gain: 0\.5 is below 1/, 2],
    [
      'a cover too large for any graph',
      () => ['good.csv', '--resolution', '1000', '--gain', '100', '--out', 'o.json'],
      /--gain: resolution 1000 with gain 100 puts each point in up to 10000 overlapping cover sets/,
      2,
    ],
    ['a --seed beyond 32 bits', () => ['good.csv', '--seed', '1e300', '--out', 'o.json'], /--seed: 1e300 is above/, 2],
    [
      '--out in a missing folder',
      () => ['good.csv', '--out', 'no/such/dir/o.json'],
      /--out no\/such\/dir\/o\.json: the folder .* does not exist/,
      2,
    ],
  ];

  test.each(bad)('%s: one line, non-zero exit, no output file', (_what, args, message, code) => {
    const r = run(...args());
    expect(r.code).not.toBe(0);
    if (code !== undefined) expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    // Usage errors add the usage line; nothing else is printed, and never a stack trace.
    expect(lines.length).toBeLessThanOrEqual(2);
    if (lines.length === 2) expect(lines[1]).toMatch(/^usage: kleinscope analyze/);
    expect(lines[0]).toMatch(/^kleinscope analyze: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'o.json'))).toBe(false);
  });

  test('--max-filters takes a seeded subsample of any input and records it', () => {
    const r = run(
      'good.csv',
      '--max-filters',
      '100',
      '--seed',
      '7',
      '--k',
      '20',
      '--resolution',
      '10',
      '--out',
      's.json',
    );
    expect(r.stderr).toBe('');
    const doc = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(doc.source.subsample).toEqual({ of: 400, taken: 100, seed: 7 });
    expect(doc.preprocessing.nInput).toBe(100);
  });

  test('a failing run leaves an existing result untouched', () => {
    writeFileSync(join(dir, 'keep.json'), '{"kept": true}');
    const r = run(file('bad.csv', '1,2,3\n'), '--out', 'keep.json');
    expect(r.code).toBe(1);
    expect(readFileSync(join(dir, 'keep.json'), 'utf8')).toBe('{"kept": true}');
  });
});
