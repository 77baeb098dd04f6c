// A profile as a document of its own (kleinscope/profile@1): built from layer results, validated, drawn back as
// the chart's rows, summarised for the gallery; and the Mapper colour by pattern.
import { describe, expect, test } from 'vitest';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';
import { profileRow, layerMeasures } from '../../src/lib/analysis/layerProfile';
import { profileDocument, profileRows } from '../../src/lib/analysis/profileDocument';
import { profileToSvg, thumbnailData } from '../../src/lib/export/profileSvg';
import { majorityPattern, nodeAttribute, colourOf, nodeHistogram } from '../../src/lib/plot/nodeAttributes';
import { PATTERN_COLOURS } from '../../src/lib/plot/colour';
import { validateDocument, validateProfile, documentKind } from '../../src/lib/result/validate';
import { summarize } from '../../src/lib/result/summary';
import { compareProfiles } from '../../src/lib/analysis/profileComparison';
import type { ConvLayer } from '../../src/lib/nn/convLayers';
import type { ResultDocument } from '../../src/lib/result/schema';
import { circleSample } from './analysisSamples';
import { readFileSync } from 'node:fs';
import { verdictOf } from '../../src/lib/analysis/verdict';

const layer = (index: number, name = `conv${index}`): ConvLayer => ({
  index,
  name,
  op: 'conv (by shape)',
  kind: 'conv2d',
  weight: name,
  kernelShape: [3, 3, 4, 100],
  nFilters: 400,
  is3x3: true,
});

/** Weights at the centre tap only, as face-api's conv256_down_out/conv2: every filter is a bulls-eye. */
function centreFilters(n: number): Float64Array {
  const f = new Float64Array(n * 9);
  for (let i = 0; i < n; i++) f[i * 9 + 4] = (i % 2 ? -1 : 1) * (0.5 + (i % 7) / 7);
  return f;
}

async function twoLayers(): Promise<ResultDocument[]> {
  const source = { kind: 'model' as const, dataset: 'test' };
  const circle = await analyzeFilters(circleSample(400, { noise: 0.05, seed: 3 }).filters, source, { k: 20 });
  const centre = await analyzeFilters(centreFilters(200), source, { k: 20, maxDim: 0, resolution: 4, gain: 2 });
  return [circle, centre];
}

describe('profile document', () => {
  test('holds every layer with its atlas, thumbnail and verdict; validates; draws back as the same rows', async () => {
    const docs = await twoLayers();
    const rows = [profileRow(layer(1), docs[0]), profileRow(layer(2), docs[1]), profileRow(layer(3), undefined, 'x')];
    const profile = profileDocument(
      rows,
      new Map([
        [1, docs[0]],
        [2, docs[1]],
      ]),
      new Map([
        [1, thumbnailData(docs[0])],
        [2, thumbnailData(docs[1])],
      ]),
      {
        modelName: '/home/someone/models/net.json',
        dataset: 'test',
        options: { k: 20, p: 30, maxFilters: 50000, seed: 1, landmarks: 200 },
        command: 'kleinscope profile net.json',
      },
    );
    // A path never leaves the machine: only its base name.
    expect(profile.model.name).toBe('net.json');
    expect(JSON.stringify(profile)).not.toContain('/home/someone');
    const v = validateDocument(JSON.parse(JSON.stringify(profile)));
    if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
    expect(documentKind(profile)).toBe('profile');
    expect(profile.layers[0].patterns!.classes.edge.share).toBeGreaterThan(0.8);
    expect(profile.layers[1].patterns!.classes.centre.share).toBe(1);
    expect(profile.layers[2]).toMatchObject({ measures: null, patterns: null, error: 'x', thumbnail: null });
    // Without a resampled confidence the verdict is the raw ratio, labelled as one sample, with the one rule's
    // reading of that one barcode.
    expect(profile.layers[0].verdict).toEqual({
      kind: 'one sample',
      ratio: layerMeasures(docs[0]).dominance,
      verdict: verdictOf(docs[0]).kind,
    });
    expect(profile.layers[0].thumbnail!.nodes).toHaveLength(docs[0].mapper.nodes.length);

    const back = profileRows(profile);
    expect(back.map((r) => r.measures?.dominance ?? null)).toEqual(rows.map((r) => r.measures?.dominance ?? null));
    expect(back[1].measures!.patterns!.centre).toBe(1);
    const { svg } = profileToSvg(back);
    const centreBar = [...svg.matchAll(/data-layer="2" data-pattern="(\w+)" data-share="([^"]+)"/g)];
    expect(centreBar.map((m) => [m[1], Number(m[2])])).toEqual([['centre', 1]]);

    const card = summarize(profile);
    expect(card.profile!.layers.map((l) => l.patterns?.centre ?? null)).toEqual([
      profile.layers[0].patterns!.classes.centre.share,
      1,
      null,
    ]);
    expect(card.sizes.filters).toBe(1200);
  });

  test('a resampled verdict is carried with its interval', async () => {
    const [doc] = await twoLayers();
    const withConfidence = structuredClone(doc);
    withConfidence.persistence.confidence = {
      resamples: 30,
      unit: 'runs',
      level: 0.9,
      rule: 'gap',
      dims: [{ dim: 1, significant: 1, frequency: [0, 1], agreement: 1, ratio: { value: 3.1, low: 2.2, high: 4.5 } }],
    };
    const profile = profileDocument([profileRow(layer(1), withConfidence)], new Map([[1, withConfidence]]), new Map(), {
      modelName: 'm.json',
      dataset: 'd',
      options: { k: 20, p: 30, maxFilters: 1, seed: 1, landmarks: 2 },
    });
    expect(profile.layers[0].verdict).toEqual({
      kind: 'resampled',
      resamples: 30,
      unit: 'runs',
      level: 0.9,
      significant: 1,
      ratio: { value: 3.1, low: 2.2, high: 4.5 },
      verdict: 'circle',
    });
  });

  test('the seeded face-api profile names conv256_down_out/conv2 a centre layer', () => {
    const seed = JSON.parse(
      readFileSync(new URL('../../src/seed/faceapi-recognition-profile.json', import.meta.url), 'utf8'),
    );
    const v = validateProfile(seed);
    if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
    const out = v.value.layers.find((l) => l.name.startsWith('conv256_down_out/conv2'))!;
    expect(out.patterns!.classes.centre.share).toBe(1);
  });

  test('bad profiles are refused naming the field', () => {
    const base = {
      schema: 'kleinscope/profile@1',
      createdAt: '2026-01-01T00:00:00.000Z',
      source: { kind: 'model', dataset: 'd' },
      model: { name: 'm.json' },
      options: { k: 20, p: 30, maxFilters: 10, seed: 1, landmarks: 2 },
      layers: [
        {
          layer: 1,
          name: 'a',
          kind: 'conv2d',
          kernelShape: [3, 3, 1, 1],
          nFilters: 1,
          analysed: null,
          error: 'e',
          measures: null,
          patterns: null,
          thumbnail: { nodes: [[1, 1, 1, null]], edges: [[0, 0]] },
        },
      ],
    };
    expect(validateProfile(base).ok).toBe(true);
    const bad = (patch: (d: typeof base & Record<string, unknown>) => void) => {
      const d = structuredClone(base) as typeof base & Record<string, unknown>;
      patch(d);
      const v = validateProfile(d);
      return v.ok ? 'ok' : v.field;
    };
    expect(bad((d) => (d.model.name = 'C:\\models\\m.json'))).toBe('model.name');
    expect(bad((d) => ((d.model as Record<string, unknown>).url = 'javascript:alert(1)'))).toBe('model.url');
    expect(bad((d) => (d.layers[0].thumbnail.edges = [[0, 5]]))).toBe('layers.0.thumbnail');
    expect(bad((d) => (d.layers = []))).toBe('layers');
    expect(bad((d) => ((d.layers[0] as Record<string, unknown>).result = '../x'))).toBe('layers.0.result');
  });
});

describe('Mapper colour by pattern', () => {
  test('a node takes the class most of its members are in, drawn in that class colour', async () => {
    const [circle] = await twoLayers();
    expect(majorityPattern([0, 1, 2], [3, 3, 0])).toBe(3);
    expect(majorityPattern([0, 1], [1, 0])).toBe(0);
    expect(majorityPattern([], [])).toBeNaN();
    const attr = nodeAttribute(circle, 'pattern');
    expect(attr.categories?.names[0]).toBe('edge');
    // A noisy primary circle: its nodes are edges.
    const edges = Array.from(attr.values).filter((v) => v === 0).length;
    expect(edges / attr.values.length).toBeGreaterThan(0.8);
    expect(colourOf(attr, 0)).toBe(PATTERN_COLOURS[0]);
    const h = nodeHistogram(circle, attr, 0);
    expect(h.counts).toHaveLength(5);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(circle.mapper.nodes[0].size);
  });
});

describe('compare two profiles', () => {
  const seed = () =>
    validateProfile(
      JSON.parse(readFileSync(new URL('../../src/seed/faceapi-recognition-profile.json', import.meta.url), 'utf8')),
    );

  test('versions of one network pair by name; the differences are B minus A', () => {
    const v = seed();
    if (!v.ok) throw new Error(v.message);
    const a = v.value;
    const b = structuredClone(a);
    b.layers[0].patterns!.classes.edge.share += 0.1;
    b.layers.pop();
    const cmp = compareProfiles(a, b);
    expect(cmp.pairedBy).toBe('name');
    expect(cmp.pairs).toHaveLength(a.layers.length);
    expect(cmp.pairs[0].difference!.edge).toBeCloseTo(0.1, 12);
    expect(cmp.pairs[1].difference!.edge).toBe(0);
    expect(cmp.pairs.at(-1)!.b).toBeNull();
    expect(cmp.meanAbsoluteDifference!.edge).toBeCloseTo(0.1 / (a.layers.length - 1), 12);
  });

  test('two networks with different layer names pair by position', () => {
    const v = seed();
    if (!v.ok) throw new Error(v.message);
    const b = structuredClone(v.value);
    b.layers = b.layers.slice(0, 3).map((l, i) => ({ ...l, name: `other${i}` }));
    const cmp = compareProfiles(v.value, b);
    expect(cmp.pairedBy).toBe('position');
    expect(cmp.pairs).toHaveLength(v.value.layers.length);
    expect(cmp.pairs[2].b!.name).toBe('other2');
    expect(cmp.pairs[3].b).toBeNull();
    expect(cmp.meanAbsoluteDifference!.klein).toBe(0);
  });
});
