import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, RIPSER, random } from './ph-support';

const CLI = new URL('../../src/cli/kleinscope.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'kleinscope-ph-'));

function ph(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, 'ph', ...args], { input, encoding: 'utf8' });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('kleinscope ph prints what ripser prints', () => {
  test.each([
    [['--dim', '2', EXAMPLES + 'projective_plane.lower_distance_matrix']],
    [['--format', 'lower-distance', '--dim', '3', EXAMPLES + 'random16.lower_distance_matrix']],
    [['--format', 'distance', '--dim', '7', EXAMPLES + 'random16.lower_distance_matrix']],
    [['--threshold', '1.5', '--dim', '2', EXAMPLES + 'projective_plane.lower_distance_matrix']],
    [['--format', 'point-cloud', '--dim', '1', '--threshold', '1', EXAMPLES + 'o3_1024.txt']],
    // One thread and three (more than this machine's cores) print the same lines.
    [['--threads', '1', '--format', 'point-cloud', '--dim', '2', '--threshold', '1.5', EXAMPLES + 'o3_1024.txt']],
    [['--threads', '3', '--format', 'point-cloud', '--dim', '2', '--threshold', '1.5', EXAMPLES + 'o3_1024.txt']],
  ])('ripser %j', (args) => {
    const ours = ph(args);
    expect(ours.stderr).toBe('');
    expect(ours.status).toBe(0);
    const theirs = spawnSync(RIPSER, args[0] === '--threads' ? args.slice(2) : args, { encoding: 'utf8' });
    expect(ours.stdout.split('\n')).toEqual(theirs.stdout.split('\n'));
  });

  test('values are read as ripser reads them, to the nearest float32', () => {
    // With 17 digits, some of these land on a double that lies exactly halfway between two floats: rounding the
    // double would move a distance by one float step and change a printed digit.
    const cloud = [
      '0.36028933990746737 -0.91435457719489932 0.41953060589730740',
      '-0.34608283871784806 0.93501911964267492 -0.82774083083495498',
      '-0.83430960774421692 -0.72769449697807431 0.78955351654440165',
      '0.039262015838176012 -0.92095101438462734 0.48491737386211753',
      '-0.43613621313124895 0.84197365352883935 0.66777603700757027',
      '0.38013597158715129 0.30024204868823290 0.86822872655466199',
      '0.89320434443652630 -0.56644084537401795 -0.47601024154573679',
      '-0.47517297184094787 -0.81881760805845261 0.093082449864596128',
    ].join('\n');
    const args = ['--format', 'point-cloud', '--dim', '1'];
    expect(ph(args, cloud).stdout).toBe(spawnSync(RIPSER, args, { input: cloud, encoding: 'utf8' }).stdout);
  });

  test('an exact tie in the seventh digit prints rounded to even, as printf does', () => {
    // 0.6328125 is a float: %g prints 0.632812 where JS's toPrecision would give 0.632813.
    const cloud = '0 0\n0.6328125 0\n3 3\n-2.5 0.5\n';
    const args = ['--format', 'point-cloud'];
    const ours = ph(args, cloud).stdout;
    expect(ours).toContain('[0,0.632812)');
    expect(ours).toBe(spawnSync(RIPSER, args, { input: cloud, encoding: 'utf8' }).stdout);
  });

  // Seeded random inputs of the kinds where a last digit can go wrong: 17-digit values (reading), integer and
  // dyadic grids (equal distances everywhere, and exact ties in printing), with and without a threshold.
  test.each(Array.from({ length: 18 }, (_, seed) => seed))('random input %i prints what ripser prints', (seed) => {
    const r = random(1000 + seed);
    const kind = seed % 3;
    const n = 20 + Math.floor(r() * 60);
    const d = 2 + (seed % 3);
    const value = () =>
      kind === 0
        ? String(Math.floor(r() * 5))
        : kind === 1
          ? String(Math.floor(r() * 40) / 8)
          : (r() * 2 - 1).toPrecision(17);
    const rows = Array.from({ length: n }, () => Array.from({ length: d }, value).join(' '));
    const args = ['--format', 'point-cloud', '--dim', '2'];
    if (seed % 2 === 1) args.push('--threshold', kind === 2 ? '0.8' : '2');
    const input = rows.join('\n') + '\n';
    const ours = ph(args, input);
    expect(ours.stderr).toBe('');
    expect(ours.stdout).toBe(spawnSync(RIPSER, args, { input, encoding: 'utf8' }).stdout);
  });

  test('a sparse file under a threshold: the same header as ripser, and no edge above the threshold', () => {
    // Two pairs joined only by an edge of length 3. Ripser 1.2.1 reads a sparse file without its threshold and
    // merges the pairs at 3 ([0,3)), beyond the complex it was asked for; here they stay apart up to 2.
    const sparse = '0 1 1\n2 3 1\n1 2 3\n';
    const args = ['--format', 'sparse', '--threshold', '2'];
    const ours = ph(args, sparse).stdout.split('\n');
    const theirs = spawnSync(RIPSER, args, { input: sparse, encoding: 'utf8' }).stdout.split('\n');
    expect(ours[0]).toBe(theirs[0]);
    expect(ours[0]).toBe('sparse distance matrix with 4 points and 3/6 entries');
    expect(theirs).toContain(' [0,3)');
    expect(ours.filter((l) => l === ' [0, )')).toHaveLength(2);
    expect(ours).not.toContain(' [0,3)');
  });

  test('point clouds and sparse triplets from stdin', () => {
    const cloud = '0 0\n1 0\n1 1\n0 1\n0.5 0.5\n3 3\n';
    for (const args of [
      ['--format', 'point-cloud'],
      ['--format', 'point-cloud', '--threshold', '1.2'],
    ]) {
      const ours = ph(args, cloud);
      expect(ours.stdout).toBe(spawnSync(RIPSER, args, { input: cloud, encoding: 'utf8' }).stdout);
    }
    const sparse = '0 1 0.5\n1 2 0.7\n0 2 0.9\n2 3 1\n3 0 2\n';
    expect(ph(['--format', 'sparse'], sparse).stdout).toBe(
      spawnSync(RIPSER, ['--format', 'sparse'], { input: sparse, encoding: 'utf8' }).stdout,
    );
  });
});

describe('kleinscope ph', () => {
  test('--modulus 3 kills the projective plane, --json gives the bars', () => {
    const r = ph(['--dim', '2', '--modulus', '3', '--json', EXAMPLES + 'projective_plane.lower_distance_matrix']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.modulus).toBe(3);
    expect(doc.diagrams[0]).toHaveLength(13);
    expect(doc.diagrams[0][12]).toEqual([0, null]);
    expect(doc.diagrams.slice(1)).toEqual([[], []]);
  });

  test.each([
    [
      'ragged rows',
      ['--format', 'point-cloud'],
      '1 2\n3 4\n5\n',
      /ragged\.txt:3: row has 1 coordinates, the rows above have 2/,
    ],
    ['a non-number', ['--format', 'point-cloud'], '1 2\n3 x\n', /:2: 'x' is not a number/],
    ['NaN', ['--format', 'point-cloud'], '1 2\nNaN 4\n', /:2: 'NaN' is not a number/],
    ['NaN distance', [], '\n1\nnan,2\n', /:3: 'nan' is not a number/],
    ['a negative distance', [], '\n1\n2,-3\n', /:3: distance -3 is negative/],
    [
      'a coordinate beyond float32',
      ['--format', 'point-cloud'],
      '1 2\n1e39 4\n',
      /:2: coordinate '1e39' is beyond the float32 range/,
    ],
    ['a non-triangular count', [], '\n1\n2\n', /:3: 2 distances is not a triangle/],
    ['an empty file', [], '', /: no distances: the input is empty/],
    ['an empty point cloud', ['--format', 'point-cloud'], '\n\n', /: no points: the input is empty/],
    ['a ragged matrix', ['--format', 'distance'], '0\n1 0\n2 5 0 7\n', /:3: row 2 has 4 entries/],
    ['a bad sparse line', ['--format', 'sparse'], '0 1 2\n1 x 2\n', /:2: 'x' is not a vertex number/],
  ])('%s is one line naming the file and line, exit non-zero', (name, args, text, message) => {
    const path = file(
      name.replace(/\W+/g, '') === 'raggedrows' ? 'ragged.txt' : `${name.replace(/\W+/g, '_')}.txt`,
      text,
    );
    const r = ph([...args, path]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kleinscope ph: /);
    expect(r.stderr).toContain(path);
    expect(r.stderr).toMatch(message);
  });

  test('bad options and missing files', () => {
    const good = EXAMPLES + 'projective_plane.lower_distance_matrix';
    for (const [args, message] of [
      [['--modulus', '4', good], /--modulus: 4 is not a prime/],
      [['--modulus', '257', good], /--modulus: 257 is above 255/],
      [['--dim=-1', good], /--dim: -1 is below 0/],
      [['--threshold', 'abc', good], /--threshold: 'abc' is not a number/],
      [['--format', 'dipha', good], /--format: 'dipha' is not one of/],
      [['--threads', '0', good], /--threads: 0 is below 1/],
      [['--threads', '1.5', good], /--threads: '1.5' is not an integer/],
      [[join(dir, 'missing.txt')], /missing\.txt: no such file/],
    ] as const) {
      const r = ph([...args]);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
