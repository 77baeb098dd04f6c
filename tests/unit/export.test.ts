import { describe, expect, test } from 'vitest';
import { validateResult } from '../../src/lib/result/validate';
import { exportFileName, resultToJson } from '../../src/lib/export/resultJson';
import { toKeplerMapper } from '../../src/lib/export/keplerMapper';
import { graphToSvg } from '../../src/lib/export/graphSvg';
import { barcodeToSvg } from '../../src/lib/export/barcodeSvg';
import { forceLayout } from '../../src/lib/plot/forceLayout';
import { meanAngle, nodeAttribute, attributeNames } from '../../src/lib/plot/nodeAttributes';
import { persistenceDomain, sortedBars } from '../../src/lib/plot/barcodeScale';
import { circleResult, gradientFilters } from '../support/circleResult';
import { analyzeFilters } from '../../src/lib/analysis/pipeline';

const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('result JSON', () => {
  test('round-trips to a valid, equal document', () => {
    const doc = circleResult();
    const back = JSON.parse(resultToJson(doc));
    expect(validateResult(back)).toEqual({ ok: true, value: doc });
  });

  test('file names are slugs of the title or the source', () => {
    const doc = circleResult(4, 'MNIST / layer 1: ünïcode <x>');
    expect(exportFileName(doc, 'graph', 'svg')).toBe('mnist-layer-1-unicode-x-graph.svg');
    expect(exportFileName({ source: { kind: 'model', dataset: 'cifar10', layerName: 'conv2d_1' } }, '', 'json')).toBe(
      'cifar10-conv2d_1.json',
    );
    expect(exportFileName({ title: '///', source: { kind: 'file', dataset: '' } }, '', 'json')).toBe('kleinscope.json');
  });
});

describe('KeplerMapper JSON', () => {
  test('nodes keep their members; each edge is listed once; the gain becomes an overlap share', () => {
    const doc = circleResult(5);
    doc.mapper.edges.push([1, 0, 2], [3, 3, 1]); // a reversed duplicate and a self loop
    const km = toKeplerMapper(doc.mapper);
    expect(Object.keys(km.nodes)).toEqual(['node0', 'node1', 'node2', 'node3', 'node4']);
    expect(km.nodes.node2).toEqual(doc.mapper.nodes[2].members);
    const links = Object.values(km.links).flat();
    expect(links).toHaveLength(5);
    expect(km.links.node0).toEqual(['node1', 'node4']);
    expect(km.simplices.filter((s) => s.length === 2)).toHaveLength(5);
    expect(km.meta_data.perc_overlap).toBeCloseTo(2 / 3);
    expect(km.meta_data.n_cubes).toBe(10);
    expect(km.kleinscope.nodes.node3.meanFilter).toEqual(doc.mapper.nodes[3].meanFilter);
  });
});

describe('graph layout and SVG', () => {
  test('the layout is deterministic, fits the box and keeps nodes apart', () => {
    const doc = circleResult(16);
    const a = forceLayout(doc.mapper, { width: 400, height: 300 });
    const b = forceLayout(doc.mapper, { width: 400, height: 300 });
    expect(Array.from(a.xy)).toEqual(Array.from(b.xy));
    for (let i = 0; i < 16; i++) {
      expect(a.xy[2 * i] - a.r[i]).toBeGreaterThanOrEqual(0);
      expect(a.xy[2 * i] + a.r[i]).toBeLessThanOrEqual(400);
      expect(a.xy[2 * i + 1] - a.r[i]).toBeGreaterThanOrEqual(0);
      expect(a.xy[2 * i + 1] + a.r[i]).toBeLessThanOrEqual(300);
    }
    const dist = (i: number, j: number) => Math.hypot(a.xy[2 * i] - a.xy[2 * j], a.xy[2 * i + 1] - a.xy[2 * j + 1]);
    // A ring lays out as a ring: neighbours are closer than opposite nodes.
    expect(dist(0, 1)).toBeLessThan(dist(0, 8) / 2);
    for (let i = 0; i < 16; i++) for (let j = i + 1; j < 16; j++) expect(dist(i, j)).toBeGreaterThan(a.r[i]);
  });

  test('a ring with a PCA lens is drawn as an untwisted ring', () => {
    for (const n of [8, 12, 30]) {
      const { xy } = forceLayout(circleResult(n).mapper);
      let cx = 0;
      let cy = 0;
      for (let i = 0; i < n; i++) [cx, cy] = [cx + xy[2 * i] / n, cy + xy[2 * i + 1] / n];
      const angle = (i: number) => Math.atan2(xy[2 * (i % n) + 1] - cy, xy[2 * (i % n)] - cx);
      const steps = Array.from({ length: n }, (_, i) => {
        const d = angle(i + 1) - angle(i);
        return d > Math.PI ? d - 2 * Math.PI : d < -Math.PI ? d + 2 * Math.PI : d;
      });
      // Walking along the cycle turns once round the centre, always the same way.
      expect(Math.abs(steps.reduce((a, b) => a + b, 0))).toBeCloseTo(2 * Math.PI, 6);
      expect(new Set(steps.map(Math.sign)).size).toBe(1);
    }
  });

  test('without a 2-d lens the layout still fits and separates the nodes', () => {
    const doc = circleResult(10);
    for (const node of doc.mapper.nodes) node.lens = [node.density];
    const { xy, r } = forceLayout(doc.mapper, { width: 300, height: 200 });
    for (let i = 0; i < 10; i++) {
      expect(xy[2 * i] - r[i]).toBeGreaterThanOrEqual(0);
      expect(xy[2 * i + 1] + r[i]).toBeLessThanOrEqual(200);
      for (let j = i + 1; j < 10; j++)
        expect(Math.hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1])).toBeGreaterThan(r[i]);
    }
  });

  test('an empty graph lays out to nothing', () => {
    const doc = circleResult(3);
    doc.mapper.nodes = [];
    doc.mapper.edges = [];
    expect(forceLayout(doc.mapper).xy).toHaveLength(0);
    expect(count(graphToSvg(doc.mapper, forceLayout(doc.mapper)), '<g class="node"')).toBe(0);
  });

  test('the SVG has one glyph per node, one line per edge, and escapes the title', () => {
    const doc = circleResult(9);
    doc.mapper.edges.push([0, 99, 1]); // names a missing node: not drawn
    const layout = forceLayout(doc.mapper);
    const attribute = nodeAttribute(doc, 'angle');
    const svg = graphToSvg(doc.mapper, layout, { title: '<script>alert(1)</script>', attribute });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(count(svg, '<g class="node"')).toBe(9);
    expect(count(svg, '<line ')).toBe(9);
    expect(count(svg, '<rect x=')).toBe(81);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&#60;script&#62;');
    // Angle colours are hues; the node at angle 0 and the one opposite differ.
    expect(svg).toMatch(/fill="hsl\(/);
  });
});

describe('node attributes', () => {
  test('the mean angle wraps round 2pi', () => {
    expect(meanAngle([0, 1], [0.1, 2 * Math.PI - 0.1])).toBeCloseTo(0, 10);
    expect(meanAngle([0, 1], [Math.PI / 2 - 0.1, Math.PI / 2 + 0.1])).toBeCloseTo(Math.PI / 2, 10);
    expect(meanAngle([], [])).toBeNaN();
  });

  test('built-in names come first, then the attributes keys; missing values are NaN', () => {
    const doc = circleResult(4);
    delete doc.mapper.nodes[2].attributes;
    expect(attributeNames(doc.mapper)).toEqual(['density', 'size', 'angle', 'run']);
    const run = nodeAttribute(doc, 'run');
    expect(Array.from(run.values)).toEqual([0, 1, NaN, 0]);
    expect([run.min, run.max]).toEqual([0, 1]);
    expect(nodeAttribute(doc, 'size').values[0]).toBe(6);
  });
});

describe('barcode SVG', () => {
  test('one rect per bar, an arrow per infinite bar, shared axis', () => {
    const diagrams: [number, number | null][][] = [
      [
        [0, null],
        [0, 0.5],
        [0, 0.25],
      ],
      [[0.2, 1.0]],
      [],
    ];
    const svg = barcodeToSvg(diagrams, { title: 'A & B' });
    expect(count(svg, 'fill="#2166ac"')).toBe(3);
    expect(count(svg, '<path ')).toBe(1);
    expect(count(svg, 'fill="#b2182b"')).toBe(2); // the infinite bar and its arrow
    expect(svg).toContain('H0: 3 bars');
    expect(svg).toContain('H2: 0 bars');
    expect(svg).toContain('A &#38; B');
    expect(persistenceDomain(diagrams).hi).toBeCloseTo(1.08);
  });

  test('only the longest bars are drawn past the cap', () => {
    const bars: [number, number | null][] = Array.from({ length: 50 }, (_, i) => [0, i + 1]);
    const svg = barcodeToSvg([bars], { maxBars: 10 });
    expect(count(svg, 'fill="#2166ac"')).toBe(10);
    expect(svg).toContain('(40 shortest not drawn)');
    expect(sortedBars(bars)[0]).toEqual([0, 50]);
  });

  test('whiskers on the longest bars from the confidence; one sample says so and draws none', () => {
    const h1: [number, number | null][] = [
      [0.1, 0.3],
      [0.2, 0.9],
      [0.1, 0.25],
    ];
    const confidence = {
      resamples: 20,
      unit: 'runs' as const,
      level: 0.9,
      rule: 'the gap rule',
      dims: [
        {
          dim: 1,
          significant: 1,
          frequency: [0.1, 0.9, 0, 0],
          agreement: 0.9,
          ratio: { value: 3.5, low: 2, high: 4 },
          lengths: [
            { low: 0.5, high: 0.7 },
            { low: 0.1, high: 0.3 },
          ],
        },
      ],
    };
    const svg = barcodeToSvg([[[0, null]], h1], { confidence });
    const whiskers = [...svg.matchAll(/<path class="whisker" d="M([\d.]+) ([\d.]+)H([\d.]+)/g)];
    expect(whiskers).toHaveLength(2);
    // The longest bar is born at 0.2: its whisker runs from 0.2 + 0.5 to 0.2 + 0.7 on the shared axis.
    const { lo, hi } = persistenceDomain([[[0, null]], h1]);
    const x = (v: number) => 40 + ((v - lo) / (hi - lo)) * (640 - 40 - 16);
    expect(Number(whiskers[0][1])).toBeCloseTo(x(0.7), 1);
    expect(Number(whiskers[0][3])).toBeCloseTo(x(0.9), 1);
    expect(svg).toContain('H1: 3 bars; whiskers: 90% interval of the 2 longest lengths over 20 resamples (runs)');
    const one = barcodeToSvg([[[0, null]], h1], { confidence: null });
    expect(one).not.toContain('class="whisker"');
    expect(one).toContain('H1: 3 bars; one sample, no resampling: no intervals');
    expect(barcodeToSvg([[[0, null]], h1])).not.toContain('one sample');
  });
});

describe('exports of a document from the analysis pipeline', () => {
  test('graph SVG, KeplerMapper JSON and barcode SVG match the analysed document', async () => {
    const doc = await analyzeFilters(
      gradientFilters(400),
      { kind: 'synthetic', dataset: 'gradients' },
      {
        k: 20,
        p: 30,
        resolution: 8,
      },
    );
    expect(validateResult(JSON.parse(resultToJson(doc))).ok).toBe(true);
    const n = doc.mapper.nodes.length;
    expect(n).toBeGreaterThan(2);
    const svg = graphToSvg(doc.mapper, forceLayout(doc.mapper), { attribute: nodeAttribute(doc, 'angle') });
    expect(count(svg, '<g class="node"')).toBe(n);
    const km = toKeplerMapper(doc.mapper);
    expect(Object.keys(km.nodes)).toHaveLength(n);
    expect(Object.values(km.nodes).reduce((a, m) => a + m.length, 0)).toBe(
      doc.mapper.nodes.reduce((a, node) => a + node.members.length, 0),
    );
    const bars = doc.persistence.diagrams.reduce((a, d) => a + Math.min(d.length, 400), 0);
    const barcode = barcodeToSvg(doc.persistence.diagrams);
    expect(count(barcode, 'fill="#2166ac"') + count(barcode, '<path ')).toBe(bars);
  });
});
