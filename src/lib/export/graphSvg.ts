import type { MapperGraph } from '../result/schema';
import type { GraphLayout } from '../plot/forceLayout';
import { glyphColours } from '../plot/glyph';
import { colourOf, type NodeAttribute } from '../plot/nodeAttributes';
import { escapeXml, fixed } from './xml';

export interface GraphSvgOptions {
  /** Drawn as a heading above the graph (and kept as the SVG's <title>). */
  title?: string;
  /** A second line under the title, e.g. the source and the cover. */
  subtitle?: string;
  /** Colours each node's ring; without it rings are dark grey. With it, a legend of the scale is drawn below. */
  attribute?: NodeAttribute;
}

const HEADER = 22;
const SUBHEADER = 16;
const LEGEND = 34;
const STOPS = 24;

const label = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

/** The colour scale of the attribute as a strip of swatches with its ends labelled. */
function legend(attr: NodeAttribute, width: number, top: number): string[] {
  const x0 = 10;
  const w = Math.min(240, width - 20);
  const out = [`<g class="legend" font-family="sans-serif" font-size="11" fill="#333">`];
  out.push(`<text x="${x0}" y="${top + 11}">ring colour: ${escapeXml(attr.name)}</text>`);
  const lo = attr.cyclic ? 0 : attr.min;
  const hi = attr.cyclic ? 2 * Math.PI : attr.max;
  for (let k = 0; k < STOPS; k++) {
    const v = lo + ((hi - lo) * (k + 0.5)) / STOPS;
    const x = x0 + (w * k) / STOPS;
    out.push(
      `<rect class="swatch" x="${fixed(x)}" y="${top + 15}" width="${fixed(w / STOPS + 0.5)}" height="8" fill="${colourOf(attr, v)}"/>`,
    );
  }
  const [left, right] = attr.cyclic ? ['0', '2π'] : [label(lo), label(hi)];
  out.push(`<text x="${fixed(x0 + w + 6)}" y="${top + 23}">${escapeXml(`${left} … ${right}`)}</text>`);
  out.push('</g>');
  return out;
}

/**
 * A standalone SVG of the Mapper graph as laid out on the page: a title, edges, then each node as a coloured disc
 * with its mean filter drawn as a 3x3 glyph inside, and the colour scale's legend. No scripts, no external
 * references, so it opens anywhere; each node carries a <title> that viewers show on hover.
 */
export function graphToSvg(graph: MapperGraph, layout: GraphLayout, options: GraphSvgOptions = {}): string {
  const { width, xy, r } = layout;
  const top = (options.title ? HEADER : 0) + (options.subtitle ? SUBHEADER : 0);
  const bottom = options.attribute ? LEGEND : 0;
  const height = layout.height + top + bottom;
  const index = new Map<number, number>();
  graph.nodes.forEach((n, i) => index.set(n.id, i));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  if (options.title) out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  if (options.title) {
    out.push(
      `<text x="10" y="16" font-family="sans-serif" font-size="14" font-weight="bold" fill="#111">${escapeXml(options.title)}</text>`,
    );
  }
  if (options.subtitle) {
    out.push(
      `<text x="10" y="${top - 4}" font-family="sans-serif" font-size="11" fill="#555">${escapeXml(options.subtitle)}</text>`,
    );
  }
  out.push(`<g transform="translate(0,${top})">`);
  out.push('<g stroke="#888" stroke-width="1.5" stroke-opacity="0.7">');
  for (const [a, b] of graph.edges) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) continue;
    out.push(
      `<line x1="${fixed(xy[2 * i])}" y1="${fixed(xy[2 * i + 1])}" x2="${fixed(xy[2 * j])}" y2="${fixed(xy[2 * j + 1])}"/>`,
    );
  }
  out.push('</g>');
  graph.nodes.forEach((node, i) => {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    const value = options.attribute?.values[i];
    const ring = options.attribute ? colourOf(options.attribute, value!) : '#444';
    const side = r[i] * 1.2;
    const cell = side / 3;
    out.push(`<g class="node" data-id="${node.id}">`);
    const about = [`node ${node.id}`, `${node.size} filters`, `density ${label(node.density)}`];
    if (options.attribute && options.attribute.name !== 'density' && options.attribute.name !== 'size')
      about.push(`${options.attribute.name} ${Number.isFinite(value) ? label(value!) : 'none'}`);
    out.push(`<title>${escapeXml(about.join(', '))}</title>`);
    out.push(`<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(r[i])}" fill="${ring}"/>`);
    glyphColours(node.meanFilter).forEach((fill, k) => {
      const cx = x - side / 2 + (k % 3) * cell;
      const cy = y - side / 2 + Math.floor(k / 3) * cell;
      out.push(
        `<rect x="${fixed(cx)}" y="${fixed(cy)}" width="${fixed(cell)}" height="${fixed(cell)}" fill="${fill}"/>`,
      );
    });
    out.push('</g>');
  });
  out.push('</g>');
  if (options.attribute) out.push(...legend(options.attribute, width, top + layout.height));
  out.push('</svg>');
  return out.join('\n');
}
