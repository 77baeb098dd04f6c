// The layer profile: its measures from a result document, the CSV and the chart, and `kleinscope profile` end to
// end on a weights manifest with a circle layer, a noise layer and layers that are not 3x3.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  layerMeasures,
  NEAR_CIRCLE_DISTANCE,
  profileCsv,
  profileRow,
  type ProfileRow,
} from '../../src/lib/analysis/layerProfile';
import type { ConvLayer } from '../../src/lib/nn/convLayers';
import { graphThumbnail, profileToSvg } from '../../src/lib/export/profileSvg';
import { validateProfile, validateResult } from '../../src/lib/result/validate';
import type { ResultDocument } from '../../src/lib/result/schema';
import { circleResult } from '../support/circleResult';
import { writeManifest, type ManifestTensor } from './modelImportFixture';

const cli = fileURLToPath(new URL('../../src/cli/kleinscope.js', import.meta.url));
let root: string;

function kleinscope(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kleinscope-profile-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** circleResult with its H1 bars, circle distances and Klein errors replaced. */
function withMeasures(
  bars: Array<[number, number | null]>,
  distances: number[],
  kleinError: number,
  threshold: number | null = 2,
): ResultDocument {
  const doc = structuredClone(circleResult());
  doc.persistence.diagrams = [[[0, null]], bars];
  doc.persistence.threshold = threshold;
  doc.modelFit.primaryCircle.distances = distances;
  doc.modelFit.kleinBottle.meanError = kleinError;
  return doc;
}

const layer = (index: number, name = `conv${index}`): ConvLayer => ({
  index,
  name,
  op: 'conv (by shape)',
  kind: 'conv2d',
  weight: name,
  kernelShape: [3, 3, 4, 8],
  nFilters: 32,
  is3x3: true,
});

describe('layer measures', () => {
  test('dominance is the longest H1 bar over the next, essential bars reaching the threshold', () => {
    const m = layerMeasures(
      withMeasures(
        [
          [0, 1],
          [0.2, 0.5],
          [0.1, null],
        ],
        [0, 0.5, 0.52, 1],
        0.25,
      ),
    );
    expect(m.h1Bars).toBe(3);
    expect(m.longest).toBeCloseTo(1.9, 12);
    expect(m.second).toBe(1);
    expect(m.dominance).toBeCloseTo(1.9, 12);
    // 0.5 is within 30 degrees of the circle (chord 0.518), 0.52 is not.
    expect(NEAR_CIRCLE_DISTANCE).toBeCloseTo(0.5176, 4);
    expect(m.nearCircle).toBe(0.5);
    expect(m.kleinError).toBe(0.25);
    expect(layerMeasures(withMeasures([[0.1, 0.7]], [0], 0)).dominance).toBe(Infinity);
    expect(layerMeasures(withMeasures([], [], 0)).dominance).toBeNull();
  });

  test('the CSV: one row per layer, empty cells for missing values, inf, quoted names', () => {
    const rows: ProfileRow[] = [
      profileRow(layer(1, 'a,"b"'), withMeasures([[0, 0.8]], [0.1, 0.9], 0.3)),
      profileRow(layer(2), undefined, 'only 2 of 32 filters are not near zero'),
    ];
    const lines = profileCsv(rows).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'layer,name,kind,kernel,filters,analysed,core,h1_bars,h1_longest,h1_second,h1_dominance,near_circle_share,' +
        'klein_mean_error,mapper_nodes,mapper_edges,verdict,h1_ratio_low,h1_ratio_high,klein,edge,line,centre,other,off,error',
    );
    // circleResult has no pattern atlas (its six share cells are empty) and no resamples (one sample).
    expect(lines[1]).toMatch(
      /^1,"a,""b""",conv2d,3x3x4x8,32,\d+,\d+,1,0\.8,,inf,0\.5,0\.3,12,\d+,(none|circle|classes|undecided) \(one sample\),,,,,,,,,$/,
    );
    expect(lines[2]).toBe('2,conv2,conv2d,3x3x4x8,32,,,,,,,,,,,,,,,,,,,,only 2 of 32 filters are not near zero');
  });

  test('the chart: a bar per layer and panel at its value, a thumbnail per layer, names escaped', () => {
    const docs = [
      withMeasures(
        [
          [0, 1],
          [0, 0.25],
        ],
        [0, 0, 0, 1],
        0.2,
      ),
      withMeasures([[0, 0.5]], [1, 1], 0.4),
    ];
    const rows = [
      profileRow(layer(1, '<x>'), docs[0]),
      profileRow(layer(2), docs[1]),
      profileRow(layer(3), undefined, 'e'),
    ];
    const thumbnails = new Map([[1, graphThumbnail(docs[0])]]);
    const { svg, width } = profileToSvg(rows, { title: 'T & U', thumbnail: (i) => thumbnails.get(i) });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>T &#38; U</title>');
    expect(svg).not.toContain('<x>');
    const values = [...svg.matchAll(/data-layer="(\d)" data-value="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    // Panels in order: dominance, near-circle share, Klein error; layer 3 has no bars.
    expect(values).toEqual([
      ['1', '4'],
      ['2', 'inf'],
      ['1', '0.75'],
      ['2', '0'],
      ['1', '0.2'],
      ['2', '0.4'],
    ]);
    // The thumbnail draws one disc per Mapper node.
    expect(thumbnails.get(1)!.match(/<circle /g)).toHaveLength(docs[0].mapper.nodes.length);
    expect(svg.match(/class="thumb"/g)).toHaveLength(3);
    expect(width).toBeGreaterThan(3 * 60);
    // Neither layer is resampled: no whiskers, and the dominance panel says one sample.
    expect(svg).not.toContain('class="whisker"');
    expect(svg).toContain('one sample per layer');
  });

  test('the chart: a whisker per resampled layer on the dominance panel, at its interval', () => {
    const resampled = withMeasures(
      [
        [0, 1],
        [0, 0.25],
      ],
      [0, 0, 0, 1],
      0.2,
    );
    resampled.persistence.confidence = {
      resamples: 20,
      unit: 'filters',
      level: 0.9,
      rule: 'gap',
      dims: [{ dim: 1, significant: 1, frequency: [0, 1], agreement: 1, ratio: { value: 4, low: 2.5, high: 6 } }],
    };
    const rows = [profileRow(layer(1), resampled), profileRow(layer(2), withMeasures([[0, 0.5]], [1, 1], 0.4))];
    const { svg } = profileToSvg(rows);
    const whiskers = [...svg.matchAll(/class="whisker" data-layer="(\d)" data-low="([^"]+)" data-high="([^"]+)"/g)];
    expect(whiskers.map((m) => [m[1], m[2], m[3]])).toEqual([['1', '2.5', '6']]);
    expect(svg).toContain('whiskers: 90% interval');
    expect(svg).toContain('none: one sample');
  });
});

/**
 * n filters of the primary circle (gradients at evenly spaced angles, so the density core keeps the whole circle,
 * plus a little noise) or pure noise, as a kernel.
 */
function kernel(n: number, circle: boolean, seed: number): number[] {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  // [3][3][cin=1][cout=n]: element (i, j) of filter f sits at (3i + j) * n + f.
  const values = new Array<number>(9 * n);
  for (let f = 0; f < n; f++) {
    const t = (2 * Math.PI * f) / n;
    for (let ij = 0; ij < 9; ij++) {
      const x = (ij % 3) - 1;
      const y = Math.floor(ij / 3) - 1;
      values[ij * n + f] = Math.fround(circle ? x * Math.cos(t) + y * Math.sin(t) + 0.05 * gauss() : gauss());
    }
  }
  return values;
}

describe('kleinscope profile', () => {
  test('writes the chart, the CSV and one result per 3x3 layer; the circle layer stands out', async () => {
    const n = 400;
    const tensors: ManifestTensor[] = [
      { name: 'edges/filters', shape: [3, 3, 1, n], stored: kernel(n, true, 5) },
      { name: 'mix/pointwise_filter', shape: [1, 1, 4, 4], stored: kernel(16, false, 6).slice(0, 16) },
      { name: 'noise/filters', shape: [3, 3, 1, n], stored: kernel(n, false, 7) },
    ];
    const m = writeManifest(join(root, 'model'), 'two', [tensors]);
    const out = join(root, 'out');
    const r = await kleinscope('profile', m.path, '--out', out, '--dataset', 'synthetic', '--jobs', '2');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'layer-1.json',
      'layer-3.json',
      'profile.csv',
      'profile.json',
      'profile.svg',
    ]);
    // The profile as a document of its own: valid, every layer's numbers, the model by its base name only.
    const profile = validateProfile(JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')));
    if (!profile.ok) throw new Error(`${profile.field}: ${profile.message}`);
    expect(profile.value.model.name).toBe('two-weights_manifest.json');
    expect(readFileSync(join(out, 'profile.json'), 'utf8')).not.toContain(root);
    expect(profile.value.layers.map((l) => [l.layer, l.name])).toEqual([
      [1, 'edges/filters'],
      [3, 'noise/filters'],
    ]);
    expect(profile.value.description).toMatch(
      /^Made by `kleinscope profile two-weights_manifest\.json --dataset synthetic --jobs 2`/,
    );
    const docs = [1, 3].map((i) => JSON.parse(readFileSync(join(out, `layer-${i}.json`), 'utf8')) as ResultDocument);
    for (const doc of docs) expect(validateResult(doc).ok).toBe(true);
    expect(docs.map((d) => [d.source.layer, d.source.layerName, d.source.dataset])).toEqual([
      [1, 'edges/filters', 'synthetic'],
      [3, 'noise/filters', 'synthetic'],
    ]);
    const csv = readFileSync(join(out, 'profile.csv'), 'utf8').trimEnd().split('\n');
    expect(csv).toHaveLength(3);
    const cells = csv.slice(1).map((l) => l.split(','));
    const col = (name: string) => csv[0].split(',').indexOf(name);
    // The CSV holds exactly the measures of the documents written beside it.
    docs.forEach((doc, i) => {
      const measures = layerMeasures(doc);
      expect(Number(cells[i][col('near_circle_share')])).toBeCloseTo(measures.nearCircle, 6);
      expect(Number(cells[i][col('klein_mean_error')])).toBeCloseTo(measures.kleinError, 6);
      for (const key of ['klein', 'edge', 'line', 'centre', 'other', 'off'] as const)
        expect(Number(cells[i][col(key)])).toBeCloseTo(doc.patternAtlas!.classes[key].share, 6);
    });
    // The circle layer's core is edges on the Klein bottle; the noise layer's mostly off it.
    expect(docs[0].patternAtlas!.classes.edge.share).toBeGreaterThan(0.8);
    expect(docs[1].patternAtlas!.classes.klein.share).toBeLessThan(0.3);
    const [edges, noise] = docs.map(layerMeasures);
    expect(edges.nearCircle).toBeGreaterThan(0.9);
    expect(noise.nearCircle).toBeLessThan(0.2);
    expect(edges.dominance!).toBeGreaterThan(3 * noise.dominance!);
    expect(edges.kleinError).toBeLessThan(noise.kleinError);
    const svg = readFileSync(join(out, 'profile.svg'), 'utf8');
    expect(svg).toContain('Layer profile: two-weights_manifest.json');
    expect(svg.match(/class="thumb"/g)).toHaveLength(2);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /profile.csv, .*profile.json: 2 of 2 3x3 layers analysed in [\d.]+ s$/,
    );

    // One thread gives the same documents as two (the worker threads run the same code on the same bytes).
    const serial = join(root, 'serial');
    const one = await kleinscope('profile', m.path, '--out', serial, '--dataset', 'synthetic', '--jobs', '1');
    expect(one.code).toBe(0);
    const strip = (d: ResultDocument) => ({ ...d, createdAt: '', timings: {} });
    for (const i of [1, 3]) {
      const doc = JSON.parse(readFileSync(join(serial, `layer-${i}.json`), 'utf8')) as ResultDocument;
      expect(strip(doc)).toEqual(strip(docs[i === 1 ? 0 : 1]));
    }
    expect(readFileSync(join(serial, 'profile.csv'), 'utf8')).toBe(readFileSync(join(out, 'profile.csv'), 'utf8'));
  });

  test('bad input: one line naming the file or flag, non-zero exit, nothing written', async () => {
    const tensors: ManifestTensor[] = [{ name: 'c/filters', shape: [3, 3, 1, 8], stored: kernel(8, true, 3) }];
    const m = writeManifest(join(root, 'bad'), 'bad', [tensors]);
    const only1x1 = writeManifest(join(root, 'pointwise'), 'pw', [
      [{ name: 'p', shape: [1, 1, 2, 2], stored: [1, 2, 3, 4] }],
    ]);
    const aFile = join(root, 'a-file');
    writeFileSync(aFile, 'x');
    const fresh = join(root, 'fresh');
    const cases: Array<[string[], RegExp]> = [
      [[m.path], /^kleinscope profile: --out DIR is required\nusage: /],
      [[m.path, '--out', aFile], /^kleinscope profile: --out .*a-file: is a file, not a folder\n$/],
      [[m.path, '--out', join(root, 'no', 'such')], /^kleinscope profile: --out .*: the folder .*no does not exist\n$/],
      [[m.path, '--out', fresh, '--landmarks', '1'], /^kleinscope profile: --landmarks: 1 is below 2\n$/],
      [[m.path, '--out', fresh, '--jobs', '0'], /^kleinscope profile: --jobs: 0 is below 1\n$/],
      [
        [only1x1.path, '--out', fresh],
        /^kleinscope profile: .*pw-weights_manifest.json: none of its 1 conv layer has 3x3 kernels\n$/,
      ],
    ];
    for (const [args, want] of cases) {
      const r = await kleinscope('profile', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(want);
      expect(existsSync(fresh)).toBe(false);
    }
    unlinkSync(join(m.dir, m.shards[0][0]));
    const r = await kleinscope('profile', m.path, '--out', fresh);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `kleinscope profile: ${join(m.dir, m.shards[0][0])}: missing: no such file (listed in ${m.path})\n`,
    );
    expect(existsSync(fresh)).toBe(false);
  });
});
