// The Mapper graph as one HTML file that opens in any browser, offline, with nothing else beside it (as
// KeplerMapper's visualize() writes one): the drawn graph with its legend, what the result is, and every node's
// members, so a reader can check a node without Kleinscope.
import type { ResultDocument } from '../result/schema';
import type { GraphLayout } from '../plot/forceLayout';
import type { NodeAttribute } from '../plot/nodeAttributes';
import { graphToSvg } from './graphSvg';
import { escapeXml } from './xml';

export interface GraphHtmlOptions {
  attribute?: NodeAttribute;
  /** One line naming where the filters came from (the page's source label). */
  source?: string;
}

/** What the page needs of a result: its graph, and what names it when the caller has that. */
export type GraphDocument = Pick<ResultDocument, 'mapper'> &
  Partial<Pick<ResultDocument, 'preprocessing' | 'createdAt'>> & { title?: string };

export function graphToHtml(doc: GraphDocument, layout: GraphLayout, options: GraphHtmlOptions = {}): string {
  const title = doc.title || 'Mapper graph';
  const m = doc.mapper;
  const cover = m.lens === 'ball' ? 'Ball Mapper' : `lens ${m.lens}, resolution ${m.resolution}, gain ${m.gain}`;
  const core = doc.preprocessing ? `; core X(${doc.preprocessing.k}, ${doc.preprocessing.p})` : '';
  const subtitle = `${m.nodes.length} nodes, ${m.edges.length} edges; ${cover}${core}`;
  const svg = graphToSvg(m, layout, { title, subtitle, attribute: options.attribute });
  const rows = m.nodes
    .map(
      (n) =>
        `<tr><td>${n.id}</td><td>${n.size}</td><td>${n.density.toPrecision(3)}</td><td>${n.members.join(' ')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1rem; color: #222; }
svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85rem; }
td, th { border-bottom: 1px solid #eee; padding: 0.15rem 0.6rem; text-align: left; vertical-align: top; }
td:last-child { font-family: monospace; word-break: break-word; }
</style>
</head>
<body>
<main>
<h1>${escapeXml(title)}</h1>
${options.source ? `<p>${escapeXml(options.source)}</p>` : ''}
<p>Each disc is a Mapper node: its ring shows the colour scale below the graph, the 3x3 glyph inside is the mean
of its filters. Hover a node for its numbers. Made by Kleinscope${doc.createdAt ? ` (result of ${escapeXml(doc.createdAt)})` : ''}.</p>
${svg}
<h2>Nodes</h2>
<p>Members are indices of the density core's filters, as in the result document.</p>
<table>
<thead><tr><th>node</th><th>filters</th><th>density</th><th>members</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</main>
</body>
</html>
`;
}
