import type { MapperGraph } from '../result/schema';
import type { GraphLayout } from '../plot/forceLayout';
import { glyphColours } from '../plot/glyph';
import { colourOf, type NodeAttribute } from '../plot/nodeAttributes';
import { escapeXml, fixed } from './xml';

export interface GraphSvgOptions {
  title?: string;
  /** Colours each node's ring; without it rings are dark grey. */
  attribute?: NodeAttribute;
}

/**
 * A standalone SVG of the Mapper graph as laid out on the page: edges, then each node as a coloured disc with
 * its mean filter drawn as a 3x3 glyph inside. No scripts, no external references, so it opens anywhere.
 */
export function graphToSvg(graph: MapperGraph, layout: GraphLayout, options: GraphSvgOptions = {}): string {
  const { width, height, xy, r } = layout;
  const index = new Map<number, number>();
  graph.nodes.forEach((n, i) => index.set(n.id, i));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  if (options.title) out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
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
    const ring = options.attribute ? colourOf(options.attribute, options.attribute.values[i]) : '#444';
    const side = r[i] * 1.2;
    const cell = side / 3;
    out.push(`<g class="node" data-id="${node.id}">`);
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
  out.push('</svg>');
  return out.join('\n');
}
