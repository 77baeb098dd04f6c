// The exports a TDA user reads elsewhere: diagrams as CSV, GUDHI, ripser.py and Ripser text, the graph as a
// standalone HTML page, and the graph's SVG with its title and legend.
import { describe, expect, test } from 'vitest';
import {
  diagramsToCsv,
  diagramsToGudhi,
  diagramsToRipserPy,
  diagramsToRipserText,
} from '../../src/lib/export/diagrams';
import { graphToHtml } from '../../src/lib/export/graphHtml';
import { graphToSvg } from '../../src/lib/export/graphSvg';
import { barcodeToSvg } from '../../src/lib/export/barcodeSvg';
import { forceLayout } from '../../src/lib/plot/forceLayout';
import { nodeAttribute } from '../../src/lib/plot/nodeAttributes';
import type { Bar } from '../../src/lib/result/schema';
import { circleResult } from '../support/circleResult';

const diagrams: Bar[][] = [
  [
    [0, null],
    [0, 0.125],
  ],
  [
    [0.2, 0.9],
    [0.30000000000000004, 0.31],
  ],
];

describe('diagram exports', () => {
  test('CSV: one bar a line, inf for an essential class, numbers round-trip', () => {
    const csv = diagramsToCsv(diagrams);
    expect(csv).toBe('dimension,birth,death\n0,0,inf\n0,0,0.125\n1,0.2,0.9\n1,0.30000000000000004,0.31\n');
    const back = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map((v) => (v === 'inf' ? Infinity : Number(v))));
    expect(back[3]![1]).toBe(0.30000000000000004);
    expect(back[0]![2]).toBe(Infinity);
  });

  test("GUDHI: 'field dimension birth death' lines as read_persistence_intervals_* take them", () => {
    expect(diagramsToGudhi(diagrams, 2).trim().split('\n')).toEqual([
      '2 0 0 inf',
      '2 0 0 0.125',
      '2 1 0.2 0.9',
      '2 1 0.30000000000000004 0.31',
    ]);
  });

  test('ripser.py: dgms per dimension, null for infinity, with the coefficient field', () => {
    const parsed = JSON.parse(diagramsToRipserPy(diagrams, { modulus: 3, threshold: null }));
    expect(parsed).toEqual({ dgms: diagrams, coeff: 3, thresh: null });
  });

  test("Ripser's own text, as `kleinscope ph` prints it", () => {
    expect(diagramsToRipserText(diagrams)).toBe(
      'persistence intervals in dim 0:\n [0, )\n [0,0.125)\npersistence intervals in dim 1:\n [0.2,0.9)\n [0.3,0.31)\n',
    );
  });
});

describe('graph exports', () => {
  test('the SVG has a visible title and subtitle, hover text per node, and a legend of the colour scale', () => {
    const doc = circleResult(9);
    const layout = forceLayout(doc.mapper);
    const attribute = nodeAttribute(doc, 'density');
    const svg = graphToSvg(doc.mapper, layout, { title: 'Ring & co', subtitle: 'X(50, 30)', attribute });
    expect(svg).toContain('font-weight="bold" fill="#111">Ring &#38; co</text>');
    expect(svg).toContain('>X(50, 30)</text>');
    expect(svg).toContain('ring colour: density');
    expect(svg.split('<rect class="swatch"').length - 1).toBe(24);
    expect(svg.split('<title>node ').length - 1).toBe(9);
    // The drawing grows by the title and legend bands instead of covering the graph with them.
    const height = Number(/^<svg [^>]*height="(\d+(?:\.\d+)?)"/.exec(svg)![1]);
    expect(height).toBeGreaterThan(layout.height + 40);
  });

  test('the HTML page stands alone: no script, no external reference, the graph, the legend and every node', () => {
    const doc = circleResult(9, 'A ring </title><script>x</script>');
    const html = graphToHtml(doc, forceLayout(doc.mapper), {
      attribute: nodeAttribute(doc, 'angle'),
      source: 'synthetic circle',
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/i);
    expect(html).toContain('<title>A ring &#60;/title&#62;&#60;script&#62;x&#60;/script&#62;</title>');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('ring colour: angle');
    expect(html.split('<tr><td>').length - 1).toBe(9);
    expect(html).toContain('<main>');
  });
});

describe('readable barcode charts', () => {
  test('the longest three bars of each dimension carry their lengths, and the axis has round ticks', () => {
    const bars: Bar[] = [
      [0.1, 0.35],
      [0, 0.9],
      [0.2, 0.3],
      [0.05, 0.1],
      [0.4, 0.45],
    ];
    const svg = barcodeToSvg([bars], { width: 640 });
    const labels = [...svg.matchAll(/font-size="9"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['0.9', '0.25', '0.1']);
    const ticks = [...svg.matchAll(/text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
    for (const t of ticks) expect(t).toMatch(/^\d(\.\d)?$/);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
  });
});
