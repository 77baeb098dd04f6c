import type { Bar, Confidence } from '../result/schema';
import { formatValue, persistenceDomain, sortedBars } from '../plot/barcodeScale';
import { niceTicks } from '../plot/axis';
import { escapeXml, fixed } from './xml';

export interface BarcodeSvgOptions {
  width?: number;
  title?: string;
  threshold?: number | null;
  /** Most bars drawn per dimension; the rest are the shortest and are counted in the label. */
  maxBars?: number;
  /**
   * The document's persistence.confidence: whiskers on the longest bars (the interval of each rank's length over
   * the resamples), said in each dimension's label. null: one sample, said so; left out: nothing said.
   */
  confidence?: Confidence | null;
}

const BAR = 4;
const GAP = 2;
const HEADER = 22;
const AXIS = 22;
const LEFT = 40;
const RIGHT = 16;
const LABELLED = 3;

/** Barcodes of all dimensions stacked, on one shared axis; infinite bars run to the right edge with an arrow. */
export function barcodeToSvg(diagrams: readonly (readonly Bar[])[], options: BarcodeSvgOptions = {}): string {
  const width = options.width ?? 640;
  const maxBars = options.maxBars ?? 400;
  const { lo, hi } = persistenceDomain(diagrams, options.threshold);
  const plotW = width - LEFT - RIGHT;
  const xOf = (v: number) => LEFT + ((v - lo) / (hi - lo)) * plotW;
  const body: string[] = [];
  let y = options.title ? 24 : 4;
  if (options.title) body.push(`<text x="${LEFT}" y="16" font-weight="bold">${escapeXml(options.title)}</text>`);
  diagrams.forEach((bars, dim) => {
    const shown = sortedBars(bars).slice(0, maxBars);
    const hidden = bars.length - shown.length;
    const whiskers = options.confidence?.dims.find((c) => c.dim === dim)?.lengths ?? [];
    const label =
      `H${dim}: ${bars.length} bar${bars.length === 1 ? '' : 's'}${hidden ? ` (${hidden} shortest not drawn)` : ''}` +
      uncertaintyNote(options.confidence, dim, whiskers.length);
    body.push(`<text x="4" y="${y + 15}">${escapeXml(label)}</text>`);
    y += HEADER;
    for (const [row, [b, d]] of shown.entries()) {
      const x1 = xOf(b);
      const x2 = d === null ? LEFT + plotW : xOf(d);
      // The longest bars carry their lengths, on a line of their own.
      // The whisker's right end: a label past the bar starts beyond it, so the two do not overlap.
      const reach = row < whiskers.length && d !== null ? Math.min(LEFT + plotW, xOf(b + whiskers[row].high)) : x2;
      if (row < LABELLED) {
        const length = d === null ? '∞' : formatValue(d - b);
        const inside = d === null || Math.max(x2, reach) > LEFT + plotW - 50;
        body.push(
          `<text x="${fixed(inside ? x2 - 3 : Math.max(x2, reach) + 3)}" y="${y + 8}" font-size="9" text-anchor="${inside ? 'end' : 'start'}" fill="${inside ? '#fff' : '#222'}">${length}</text>`,
        );
      }
      const h = row < LABELLED ? 10 : BAR;
      body.push(
        `<rect x="${fixed(x1)}" y="${y}" width="${fixed(Math.max(1, x2 - x1))}" height="${h}" fill="${d === null ? '#b2182b' : '#2166ac'}"/>`,
      );
      if (row < whiskers.length && d !== null) {
        // The interval of this rank's length over the resamples, from the bar's birth, clamped to the plot.
        const clamp = (x: number) => Math.max(LEFT, Math.min(LEFT + plotW, x));
        const [w1, w2] = [clamp(xOf(b + whiskers[row].low)), clamp(xOf(b + whiskers[row].high))].map(fixed);
        const wy = y + h / 2;
        body.push(
          `<path class="whisker" d="M${w1} ${wy}H${w2}M${w1} ${wy - 3}V${wy + 3}M${w2} ${wy - 3}V${wy + 3}" stroke="#000" stroke-width="1.2" fill="none"/>`,
        );
      }
      if (d === null)
        body.push(
          `<path d="M${fixed(x2)} ${y - 2}L${fixed(x2 + 8)} ${y + h / 2}L${fixed(x2)} ${y + h + 2}Z" fill="#b2182b"/>`,
        );
      y += h + GAP;
    }
    if (!shown.length) {
      body.push(`<text x="${LEFT}" y="${y + 12}" fill="#666">no bars</text>`);
      y += 16;
    }
    y += 6;
  });
  const axisY = y + 4;
  body.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + plotW}" y2="${axisY}" stroke="#000"/>`);
  for (const v of niceTicks({ lo, hi }, Math.max(2, Math.round(plotW / 100)))) {
    const x = fixed(xOf(v));
    body.push(`<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 4}" stroke="#000"/>`);
    body.push(`<text x="${x}" y="${axisY + 16}" text-anchor="middle">${formatValue(v)}</text>`);
  }
  const height = axisY + AXIS;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function uncertaintyNote(confidence: Confidence | null | undefined, dim: number, whiskers: number): string {
  if (confidence === undefined) return '';
  if (confidence === null) return '; one sample, no resampling: no intervals';
  if (whiskers)
    return `; whiskers: ${Math.round(confidence.level * 100)}% interval of the ${whiskers} longest lengths over ${confidence.resamples} resamples (${confidence.unit})`;
  return confidence.dims.some((c) => c.dim === dim) ? `; resampled ${confidence.resamples}x, no per-bar intervals` : '';
}
