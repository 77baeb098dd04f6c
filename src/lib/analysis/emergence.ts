/**
 * Figure 5 of Carlsson & Gabrielsson as numbers: for each snapshot step and conv layer of a pooled training, how
 * clearly one H1 bar dominates (the primary circle), how many loops the Mapper graph has, and how strongly the
 * core leans to horizontal and vertical edges. Plain data in (result documents and accuracies), plain data out,
 * so the CLI's table, the summary JSON and the lab's plot all read the same rows.
 */
import type { Bar, ResultDocument } from '../result/schema';
import { mapperSummary, type EmergencePoint } from '../result/summary';
import { verdictOf, type VerdictKind } from './verdict';

export interface EmergenceRow {
  /** Training step and conv layer; null for filters that come from no training (photo patches). */
  step: number | null;
  layer: number | null;
  /** Mean test accuracy over the runs at this step (null when unknown). */
  accuracy: number | null;
  /** Length of the longest H1 bar of the core (essential bars reach the complex's threshold). */
  longest: number;
  /** Length of the second longest H1 bar (0 when there is only one). */
  next: number;
  /** longest / next: how clearly one circle stands out (Infinity when next is 0 and longest is not). */
  dominance: number;
  /** Independent loops of the Mapper graph. */
  loops: number;
  /** Share of the core within 15 degrees of a horizontal or vertical edge (a uniform circle gives 1/3). */
  nearAxes: number;
  /** Core points the bars were computed on. */
  core: number;
  /** The one verdict (verdict.ts) and the ratio's interval over the resamples (null on one sample). */
  verdict: VerdictKind;
  resampled: boolean;
  low: number | null;
  high: number | null;
}

/** The analysed fields a row needs: a whole document satisfies it, and so does a stripped-down copy. */
export type EmergenceInput = Pick<ResultDocument, 'source' | 'persistence' | 'mapper' | 'modelFit' | 'preprocessing'>;

const barLength = (bar: Bar, threshold: number | null) => (bar[1] ?? threshold ?? bar[0]) - bar[0];

/** The two longest H1 bars of a document, longest first (0 for a missing one). */
export function twoLongestH1(doc: Pick<ResultDocument, 'persistence'>): [number, number] {
  const h1 = doc.persistence.diagrams[1] ?? [];
  let a = 0;
  let b = 0;
  for (const bar of h1) {
    const len = barLength(bar, doc.persistence.threshold);
    if (len > a) {
      b = a;
      a = len;
    } else if (len > b) b = len;
  }
  return [a, b];
}

/**
 * Loops of the document's Mapper graph. A document that states the count of its graph's loops (the flag
 * complex's first Betti number, which does not count a filled triangle as a loop) is taken at its word; an older
 * one gets the graph's cycle rank, edges - nodes + components.
 */
export function mapperLoops(doc: Pick<ResultDocument, 'mapper'>): number {
  const stated = (doc.mapper as { loops?: unknown }).loops;
  if (typeof stated === 'number' && Number.isInteger(stated) && stated >= 0) return stated;
  return mapperSummary(doc.mapper).cycles;
}

export function dominance(longest: number, next: number): number {
  if (next > 0) return longest / next;
  return longest > 0 ? Infinity : 0;
}

/** One row per document; `accuracy` maps a step to the runs' mean test accuracy there. */
export function emergenceRows(
  docs: readonly EmergenceInput[],
  accuracy: (step: number) => number | null = () => null,
): EmergenceRow[] {
  const rows = docs.map((doc) => {
    const step = doc.source.step ?? null;
    const [longest, next] = twoLongestH1(doc);
    const v = verdictOf(doc);
    return {
      step,
      layer: doc.source.layer ?? null,
      accuracy: step === null ? null : accuracy(step),
      longest,
      next,
      dominance: dominance(longest, next),
      loops: mapperLoops(doc),
      nearAxes: doc.modelFit.primaryCircle.shareHorizontalVertical,
      core: doc.preprocessing.nCore,
      verdict: v.kind,
      resampled: v.resampled,
      low: v.ratio.low,
      high: v.ratio.high,
    };
  });
  return rows.sort((a, b) => (a.step ?? -1) - (b.step ?? -1) || (a.layer ?? 0) - (b.layer ?? 0));
}

/**
 * One document's place in the emergence plot, kept with each version in the version list so the plot of a
 * link's versions needs no documents. JSON has no Infinity, so the ratio is left to `pointRow`.
 */
export function emergencePoint(doc: EmergenceInput): EmergencePoint {
  const { accuracy: _accuracy, dominance: _dominance, ...point } = emergenceRows([doc])[0]!;
  return point;
}

/** The plot's row of a stored point (no accuracy: a published version does not carry the training's). */
export function pointRow(point: EmergencePoint): EmergenceRow {
  return {
    ...point,
    accuracy: null,
    dominance: dominance(point.longest, point.next),
    // A point stored before verdicts were kept with it says nothing resampled: undecided, one sample.
    verdict: point.verdict ?? 'undecided',
    resampled: point.resampled ?? false,
    low: point.low ?? null,
    high: point.high ?? null,
  };
}

/**
 * What the rows measured, in words, per layer: "layer 1 forms one circle from step 400" (and stays one), "layer 1
 * forms no circle by step 800", or where the verdict comes and goes. Never a claim the rows do not show.
 */
export function emergenceCaption(rows: readonly EmergenceRow[]): string {
  const layers = [...new Set(rows.filter((r) => r.step !== null).map((r) => r.layer))];
  const parts = layers.map((layer) => {
    const own = rows.filter((r) => r.layer === layer && r.step !== null);
    const name = layer === null ? 'the filters' : `layer ${layer}`;
    const first = own.findIndex((r) => r.verdict === 'circle');
    const last = own.at(-1)!;
    if (first < 0) return `${name} forms no circle by step ${last.step}`;
    const stays = own.slice(first).every((r) => r.verdict === 'circle');
    return stays
      ? `${name} forms one circle from step ${own[first]!.step}`
      : `${name} shows one circle at step${own.filter((r) => r.verdict === 'circle').length > 1 ? 's' : ''} ` +
          own
            .filter((r) => r.verdict === 'circle')
            .map((r) => r.step)
            .join(', ') +
          ' only';
  });
  const sampled = rows.some((r) => r.resampled) ? '' : ' (one sample per step, no resampling)';
  return parts.join('; ') + sampled;
}

/**
 * The plot's panels, as figure 5 lays them out: one row per conv layer (layer 1 on top, then layer 2 ...), each
 * with that layer's trained rows by step; rows from no training (step null) are left out.
 */
export function emergencePanels(rows: readonly EmergenceRow[]): Array<{ layer: number | null; rows: EmergenceRow[] }> {
  const trained = rows.filter((r) => r.step !== null);
  const layers = [...new Set(trained.map((r) => r.layer))].sort((a, b) => (a ?? 0) - (b ?? 0));
  return layers.map((layer) => ({
    layer,
    rows: trained.filter((r) => r.layer === layer).sort((a, b) => (a.step as number) - (b.step as number)),
  }));
}

/** Mean test accuracy per step from a training's per-run snapshot entries. */
export function meanAccuracyByStep(entries: ReadonlyArray<{ step: number; accuracy: number }>): Map<number, number> {
  const sums = new Map<number, { s: number; n: number }>();
  for (const e of entries) {
    const t = sums.get(e.step) ?? { s: 0, n: 0 };
    t.s += e.accuracy;
    t.n += 1;
    sums.set(e.step, t);
  }
  return new Map([...sums].map(([step, { s, n }]) => [step, s / n]));
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : 'inf');

/** "circle (1.5-3.8x)", or "none (1 sample)" without resamples. */
function verdictCell(r: EmergenceRow): string {
  if (!r.resampled) return `${r.verdict} (1 sample)`;
  return r.low === null || r.high === null ? r.verdict : `${r.verdict} (${fixed(r.low, 1)}-${fixed(r.high, 1)}x)`;
}

/** The emergence table as aligned text, one line per (step, layer), with a header. */
export function formatEmergenceTable(rows: readonly EmergenceRow[]): string {
  const header = [
    'step',
    'layer',
    'test acc',
    'longest H1',
    'next H1',
    'ratio',
    'Mapper loops',
    'near axes',
    'core',
    'verdict',
  ];
  const body = rows.map((r) => [
    r.step === null ? '-' : String(r.step),
    r.layer === null ? '-' : String(r.layer),
    r.accuracy === null ? '-' : r.accuracy.toFixed(3),
    r.longest.toFixed(3),
    r.next.toFixed(3),
    fixed(r.dominance, 2),
    String(r.loops),
    `${(r.nearAxes * 100).toFixed(0)}%`,
    String(r.core),
    verdictCell(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

/** The same table as Markdown, for the README and the summary. */
export function emergenceMarkdown(rows: readonly EmergenceRow[]): string {
  const head = '| step | layer | test accuracy | longest H1 bar | next | ratio | Mapper loops | near axes |';
  const rule = '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const body = rows.map(
    (r) =>
      `| ${r.step ?? '-'} | ${r.layer ?? '-'} | ${r.accuracy === null ? '-' : r.accuracy.toFixed(3)} | ${r.longest.toFixed(3)} | ` +
      `${r.next.toFixed(3)} | ${fixed(r.dominance, 2)} | ${r.loops} | ${(r.nearAxes * 100).toFixed(0)}% |`,
  );
  return [head, rule, ...body].join('\n');
}
