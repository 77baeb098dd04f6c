// The layer profile as one standalone SVG (figure 6 of the paper as a chart): one column per 3x3 layer in network
// order, with a thumbnail of its Mapper graph above three panels: H1 dominance, the share of the core near the
// primary circle, and the mean Klein-bottle fit error; then the pattern atlas as stacked shares (edge, line and
// other on the Klein bottle from the bottom, so their top is the Klein-bottle share, then centre and off). The same string is the CLI's file, the lab's picture and
// the source of the PNG, so all three always agree.
import type { ResultDocument } from '../result/schema';
import type { ProfileRow } from '../analysis/layerProfile';
import { forceLayout } from '../plot/forceLayout';
import { nodeAttribute } from '../plot/nodeAttributes';
import { cyclic, PATTERN_COLOURS, PATTERN_NAMES } from '../plot/colour';
import { MAX_THUMBNAIL_EDGES, MAX_THUMBNAIL_NODES } from '../result/profileSchema';
import { escapeXml, fixed } from './xml';

export const THUMB_WIDTH = 64;
export const THUMB_HEIGHT = 56;
const COLUMN = 72;
const LEFT = 156;
// Room for the last column's slanted name.
const RIGHT = 110;
const TOP = 34;
const PANEL = 104;
const GAP = 26;
const LABELS = 96;
/** Dominance is drawn up to this ratio; a larger one (or a single bar) reaches the top with its value written. */
const DOMINANCE_CAP = 10;

/** A Mapper graph drawn small, as plain numbers (a profile document stores it): see profileSchema's thumbnail. */
export interface ThumbnailData {
  /** [x, y, radius, mean primary-circle angle or null] in a THUMB_WIDTH x THUMB_HEIGHT box. */
  nodes: Array<[number, number, number, number | null]>;
  edges: Array<[number, number]>;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/**
 * The thumbnail's layout: the same force layout as the full view, nodes coloured by their mean primary-circle angle
 * (a circle layer shows as a closed rainbow). Null for a graph too large to draw small.
 */
export function thumbnailData(doc: ResultDocument, width = THUMB_WIDTH, height = THUMB_HEIGHT): ThumbnailData | null {
  const graph = doc.mapper;
  const n = graph.nodes.length;
  if (n > MAX_THUMBNAIL_NODES) return null;
  const layout = forceLayout(graph, { width, height, minRadius: 1.2, maxRadius: n > 200 ? 2.5 : 4 });
  const index = new Map<number, number>();
  graph.nodes.forEach((node, i) => index.set(node.id, i));
  const angle = nodeAttribute(doc, 'angle');
  const edges: Array<[number, number]> = [];
  for (const [a, b] of graph.edges) {
    const i = index.get(a);
    const j = index.get(b);
    if (i !== undefined && j !== undefined && edges.length < MAX_THUMBNAIL_EDGES) edges.push([i, j]);
  }
  return {
    nodes: graph.nodes.map((_, i) => [
      r2(layout.xy[2 * i]),
      r2(layout.xy[2 * i + 1]),
      r2(layout.r[i]),
      Number.isFinite(angle.values[i]) ? r2(angle.values[i]) : null,
    ]),
    edges,
  };
}

/**
 * The thumbnail as SVG elements (for a <g>): edges, then discs. No glyphs: at thumbnail size they are noise, and a
 * 1,000-node graph would make the chart heavy. Every value is a number, so a stored thumbnail draws safely.
 */
export function thumbnailSvg(data: ThumbnailData | null, width = THUMB_WIDTH, height = THUMB_HEIGHT): string {
  const out = [`<rect width="${width}" height="${height}" fill="#fff" stroke="#ddd"/>`];
  if (!data) return out.join('');
  const { nodes } = data;
  const path: string[] = [];
  for (const [i, j] of data.edges) {
    const a = nodes[i];
    const b = nodes[j];
    if (a && b) path.push(`M${fixed(a[0])} ${fixed(a[1])}L${fixed(b[0])} ${fixed(b[1])}`);
  }
  if (path.length) out.push(`<path d="${path.join('')}" stroke="#999" stroke-width="0.6" fill="none"/>`);
  for (const [x, y, r, a] of nodes)
    out.push(`<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${fixed(r)}" fill="${a === null ? '#555' : cyclic(a)}"/>`);
  return out.join('');
}

/** A layer result's Mapper graph drawn small (thumbnailData, then thumbnailSvg). */
export function graphThumbnail(doc: ResultDocument, width = THUMB_WIDTH, height = THUMB_HEIGHT): string {
  return thumbnailSvg(thumbnailData(doc, width, height), width, height);
}

export interface ProfileChartOptions {
  title?: string;
  /** The thumbnail of a layer (graphThumbnail's output) by its index; a layer without one gets an empty frame. */
  thumbnail?: (layer: number) => string | undefined;
}

export interface ProfileChart {
  svg: string;
  width: number;
  height: number;
}

interface Panel {
  label: string;
  unit: string;
  lo: number;
  hi: number;
  ticks: number[];
  value: (r: ProfileRow) => number | null;
  /** The value's interval over the resamples, drawn as a whisker; null where the layer rests on one sample. */
  interval?: (r: ProfileRow) => [number, number] | null;
  format: (v: number) => string;
  colour: string;
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= v) return m * step;
  return 10 * step;
}

function panels(rows: ProfileRow[]): Panel[] {
  const finiteDominance = rows.map((r) => r.measures?.dominance).filter((d): d is number => Number.isFinite(d));
  const domMax = Math.min(DOMINANCE_CAP, Math.max(3, Math.ceil(Math.max(0, ...finiteDominance))));
  // Whole-number ticks, at most five: the axis ends on the first tick at or above the largest ratio drawn.
  const domStep = Math.ceil((domMax - 1) / 4);
  const domHi = 1 + domStep * Math.ceil((domMax - 1) / domStep);
  const errHi = niceCeil(Math.max(0.1, ...rows.map((r) => r.measures?.kleinError ?? 0)));
  const spread = (lo: number, hi: number, k = 4) => Array.from({ length: k + 1 }, (_, i) => lo + ((hi - lo) * i) / k);
  return [
    {
      label: 'H1 dominance',
      unit: 'longest bar / next',
      lo: 1,
      hi: domHi,
      ticks: spread(1, domHi, (domHi - 1) / domStep),
      value: (r) => r.measures?.dominance ?? null,
      interval: (r) => {
        const m = r.measures;
        return m && m.ratioLow !== null && m.ratioHigh !== null ? [m.ratioLow, m.ratioHigh] : null;
      },
      format: (v) => (v === Infinity ? '∞' : v.toFixed(1)),
      colour: '#2a5d9f',
    },
    {
      label: 'near primary circle',
      unit: 'share of the core',
      lo: 0,
      hi: 1,
      ticks: spread(0, 1),
      value: (r) => r.measures?.nearCircle ?? null,
      format: (v) => `${Math.round(v * 100)}%`,
      colour: '#2f8f5b',
    },
    {
      label: 'Klein-bottle fit',
      unit: 'mean error (core)',
      lo: 0,
      hi: errHi,
      ticks: spread(0, errHi),
      value: (r) => r.measures?.kleinError ?? null,
      format: (v) => v.toFixed(2),
      colour: '#b5562b',
    },
  ];
}

const tickText = (v: number) => String(Math.round(v * 100) / 100);

/** Stack order from the bottom: the three Klein-bottle classes, then centre, then off (PATTERN_NAMES order). */
const STACK = ['edge', 'line', 'other', 'centre', 'off'] as const;

function stackedPatterns(out: string[], rows: ProfileRow[], top: number, x: (i: number) => number, width: number) {
  const y = (v: number) => top + PANEL - v * PANEL;
  out.push(`<g class="panel patterns" data-panel="patterns">`);
  out.push(`<text x="8" y="${top + 12}" font-weight="600">patterns</text>`);
  out.push(`<text x="8" y="${top + 26}" fill="#777">share of the core</text>`);
  STACK.forEach((_, k) => {
    const ly = top + 40 + k * 12;
    out.push(
      `<rect x="8" y="${ly - 8}" width="9" height="9" fill="${PATTERN_COLOURS[k]}"/>` +
        `<text x="21" y="${ly}" fill="#444" font-size="10">${escapeXml(PATTERN_NAMES[k])}</text>`,
    );
  });
  for (const t of [0, 0.5, 1])
    out.push(
      `<line x1="${LEFT - 4}" x2="${width - RIGHT}" y1="${fixed(y(t))}" y2="${fixed(y(t))}" stroke="#eee"/>` +
        `<text x="${LEFT - 6}" y="${fixed(y(t) + 4)}" text-anchor="end" fill="#555">${tickText(t)}</text>`,
    );
  rows.forEach((r, i) => {
    const shares = r.measures?.patterns;
    const cx = x(i);
    if (!shares) {
      const why = r.error ?? (r.measures ? 'no pattern atlas in this result' : 'not analysed');
      out.push(
        `<text x="${cx}" y="${top + PANEL - 4}" text-anchor="middle" fill="#a00"><title>${escapeXml(why)}</title>–</text>`,
      );
      return;
    }
    const barW = COLUMN * 0.55;
    let base = 0;
    STACK.forEach((key, k) => {
      const v = shares[key];
      if (!(v > 0)) return;
      out.push(
        `<rect x="${fixed(cx - barW / 2)}" y="${fixed(y(base + v))}" width="${fixed(barW)}" height="${fixed(v * PANEL)}" ` +
          `fill="${PATTERN_COLOURS[k]}" data-layer="${r.layer}" data-pattern="${key}" data-share="${v}">` +
          `<title>layer ${r.layer}: ${escapeXml(PATTERN_NAMES[k])} ${Math.round(v * 100)}%</title></rect>`,
      );
      base += v;
    });
    out.push(
      `<text x="${cx}" y="${fixed(y(shares.klein) - 3)}" text-anchor="middle" fill="#444" font-size="10">` +
        `<title>on the Klein bottle (edge + line + other)</title>K ${Math.round(shares.klein * 100)}%</text>`,
    );
  });
  out.push('</g>');
}

/** The chart of `rows` (layerProfile's output) as a standalone SVG: no scripts, no external references. */
export function profileToSvg(rows: ProfileRow[], options: ProfileChartOptions = {}): ProfileChart {
  const width = LEFT + Math.max(1, rows.length) * COLUMN + RIGHT;
  const ps = panels(rows);
  const panelTop = (p: number) => TOP + THUMB_HEIGHT + GAP + p * (PANEL + GAP);
  // The stacked pattern panel sits below the value panels.
  const height = panelTop(ps.length) + PANEL + LABELS;
  const x = (i: number) => LEFT + i * COLUMN + COLUMN / 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="system-ui, sans-serif" font-size="11">`,
  ];
  const title = options.title ?? 'Layer profile';
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="8" y="20" font-size="14" font-weight="600">${escapeXml(title)}</text>`);
  out.push(
    `<text x="8" y="${TOP + THUMB_HEIGHT / 2}" fill="#333">Mapper graph</text>` +
      `<text x="8" y="${TOP + THUMB_HEIGHT / 2 + 14}" fill="#777">colour: circle angle</text>`,
  );
  rows.forEach((r, i) => {
    const tx = x(i) - THUMB_WIDTH / 2;
    const thumb = options.thumbnail?.(r.layer);
    out.push(`<g class="thumb" data-layer="${r.layer}" transform="translate(${fixed(tx)},${TOP})">`);
    out.push(thumb ?? `<rect width="${THUMB_WIDTH}" height="${THUMB_HEIGHT}" fill="#f6f6f6" stroke="#ddd"/>`);
    out.push('</g>');
  });
  ps.forEach((p, k) => {
    const top = panelTop(k);
    const y = (v: number) => top + PANEL - ((Math.min(Math.max(v, p.lo), p.hi) - p.lo) / (p.hi - p.lo)) * PANEL;
    out.push(`<g class="panel" data-panel="${k}">`);
    out.push(`<text x="8" y="${top + 12}" font-weight="600">${escapeXml(p.label)}</text>`);
    out.push(`<text x="8" y="${top + 26}" fill="#777">${escapeXml(p.unit)}</text>`);
    if (p.interval) {
      const level = rows.find((r) => r.measures?.resampled)?.measures;
      out.push(
        `<text x="8" y="${top + 40}" fill="#777" font-size="10">${level ? 'whiskers: 90% interval' : 'one sample per layer'}</text>`,
      );
      if (level && rows.some((r) => r.measures && !r.measures.resampled))
        out.push(`<text x="8" y="${top + 52}" fill="#777" font-size="10">none: one sample</text>`);
    }
    for (const t of p.ticks) {
      out.push(
        `<line x1="${LEFT - 4}" x2="${width - RIGHT}" y1="${fixed(y(t))}" y2="${fixed(y(t))}" stroke="#eee"/>` +
          `<text x="${LEFT - 6}" y="${fixed(y(t) + 4)}" text-anchor="end" fill="#555">${tickText(t)}</text>`,
      );
    }
    out.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${top}" y2="${top + PANEL}" stroke="#999"/>`);
    rows.forEach((r, i) => {
      const v = p.value(r);
      const cx = x(i);
      if (v === null) {
        const why = r.error ?? (r.measures ? 'no value' : 'not analysed');
        out.push(
          `<text x="${cx}" y="${top + PANEL - 4}" text-anchor="middle" fill="#a00"><title>${escapeXml(why)}</title>–</text>`,
        );
        return;
      }
      const top0 = y(v);
      const barW = COLUMN * 0.55;
      out.push(
        `<rect x="${fixed(cx - barW / 2)}" y="${fixed(top0)}" width="${fixed(barW)}" height="${fixed(y(p.lo) - top0)}" ` +
          `fill="${p.colour}" data-layer="${r.layer}" data-value="${Number.isFinite(v) ? v : 'inf'}">` +
          `<title>layer ${r.layer}: ${escapeXml(p.format(v))}</title></rect>`,
      );
      const clipped = v > p.hi;
      const interval = p.interval?.(r) ?? null;
      let labelY = top0 - 3;
      if (interval) {
        // The interval over the resamples, beside the bar's centre so the value label stays readable.
        const [lo, hi] = interval;
        const wx = cx + barW / 2 - 5;
        const [y1, y2] = [y(lo), y(hi)];
        out.push(
          `<path class="whisker" data-layer="${r.layer}" data-low="${lo}" data-high="${hi}" ` +
            `d="M${fixed(wx)} ${fixed(y1)}V${fixed(y2)}M${fixed(wx - 3)} ${fixed(y1)}H${fixed(wx + 3)}M${fixed(wx - 3)} ${fixed(y2)}H${fixed(wx + 3)}" ` +
            `stroke="#000" stroke-width="1.2" fill="none"><title>layer ${r.layer}: 90% interval ` +
            `${escapeXml(p.format(lo))}-${escapeXml(p.format(hi))} over the resamples</title></path>`,
        );
        labelY = Math.min(labelY, y2 - 3);
      }
      out.push(
        `<text x="${cx}" y="${fixed(labelY)}" text-anchor="middle" fill="${clipped ? '#000' : '#444'}" font-size="10">` +
          `${escapeXml(clipped && v !== Infinity ? `${p.format(v)}↑` : p.format(v))}</text>`,
      );
    });
    out.push('</g>');
  });
  const stackTop = panelTop(ps.length);
  stackedPatterns(out, rows, stackTop, x, width);
  const labelTop = stackTop + PANEL + 14;
  rows.forEach((r, i) => {
    const name = r.name.length > 22 ? `…${r.name.slice(-21)}` : r.name;
    out.push(
      `<text x="${x(i)}" y="${labelTop}" text-anchor="middle" font-weight="600">${r.layer}</text>` +
        `<text transform="translate(${x(i) + 3},${labelTop + 8}) rotate(35)" fill="#555" font-size="10">` +
        `<title>${escapeXml(r.name)} (${r.kernelShape.join('x')}, ${r.nFilters} filters)</title>${escapeXml(name)}</text>`,
    );
  });
  out.push('</svg>');
  return { svg: out.join('\n'), width, height };
}
