/**
 * The one verdict of a result document on its H1 barcode: one circle, several, none, or undecided. Every view that
 * states a verdict (the result page, the barcode/graph agreement, the emergence plot and table, the layer
 * profile, the gallery card, compare, the CLI) reads it here, so they all use one rule and one threshold: a class
 * stands out when its bar's gap to the rest is GAP_THRESHOLD times the noise's spread (tda/barGap.ts), counted on
 * each resample and summarised by the median (tda/confidence.ts). A document without resamples (older documents,
 * the seeded MNIST results, `--resamples 0`) gets the same rule on its one barcode, labelled as one sample.
 */
import { barLengths, dominanceRatio, MIN_BARS, standingClasses, tooFewBars } from '../tda/barGap';
import { AGREEMENT } from '../tda/confidence';
import type { ResultDocument } from '../result/schema';

/** Resamples the CLI runs unless told otherwise (--resamples). */
export const CLI_RESAMPLES = 30;

export type VerdictKind = 'circle' | 'classes' | 'none' | 'undecided';

export interface Verdict {
  kind: VerdictKind;
  /** Classes of H1 the data supports (the median over resamples; on one sample, that sample's count). */
  classes: number;
  /** False when the document has no resamples: the answer rests on one barcode. */
  resampled: boolean;
  /**
   * The H1 barcode has fewer than MIN_BARS bars: the rule cannot estimate the noise's spread, so the verdict is
   * "undecided" whatever the resamples show (a class cannot be told from noise, and neither can its absence).
   */
  tooFewBars: boolean;
  resamples: number;
  /** Resamples that agree with `classes` (resampled documents only). */
  agreeing: number;
  unit: string | null;
  level: number | null;
  /** Longest H1 bar over the next (null with fewer than two bars) and its interval over the resamples. */
  ratio: { value: number | null; low: number | null; high: number | null };
  /** "One circle", "No circle", "Undecided", "2 H1 classes". */
  headline: string;
  /** The headline with its evidence, for the result page and the CLI. */
  sentence: string;
}

type VerdictInput = Pick<ResultDocument, 'persistence'>;

export function formatRatio(x: number | null): string {
  if (x === null) return 'n/a';
  return `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}x`;
}

function headlineOf(kind: VerdictKind, classes: number): string {
  if (kind === 'undecided') return 'Undecided';
  if (kind === 'none') return 'No circle';
  if (kind === 'circle') return 'One circle';
  return `${classes} H1 classes`;
}

function kindOf(classes: number, decided: boolean): VerdictKind {
  if (!decided) return 'undecided';
  return classes === 0 ? 'none' : classes === 1 ? 'circle' : 'classes';
}

/** The verdict on H1 of a document (with or without resamples). */
export function verdictOf(doc: VerdictInput): Verdict {
  const p = doc.persistence;
  const h1 = p.confidence?.dims.find((d) => d.dim === 1);
  const lengths = barLengths(p.diagrams[1] ?? [], p.threshold ?? Infinity);
  const short = tooFewBars(lengths);
  const shortNote = `only ${lengths.length} H1 bar${lengths.length === 1 ? '' : 's'}, too few to judge (the rule needs ${MIN_BARS})`;
  if (p.confidence && h1) {
    const decided = h1.agreement >= AGREEMENT && !short;
    const kind = kindOf(h1.significant, decided);
    const resamples = p.confidence.resamples;
    const agreeing = Math.round(h1.agreement * resamples);
    const headline = headlineOf(kind, h1.significant);
    const level = Math.round(p.confidence.level * 100);
    const counted = short
      ? `${shortNote}; ${resamples} resamples (${p.confidence.unit})`
      : kind === 'undecided'
        ? `the ${resamples} resamples (${p.confidence.unit}) disagree: ${describeFrequency(h1.frequency, resamples)}`
        : `in ${agreeing} of ${resamples} resamples (${p.confidence.unit})`;
    const ratio =
      h1.ratio.value === null
        ? 'fewer than two H1 bars'
        : `longest bar ${formatRatio(h1.ratio.value)} the next, ${level}% interval ` +
          `${formatRatio(h1.ratio.low)}-${formatRatio(h1.ratio.high)}`;
    return {
      kind,
      classes: h1.significant,
      resampled: true,
      tooFewBars: short,
      resamples,
      agreeing,
      unit: p.confidence.unit,
      level: p.confidence.level,
      ratio: h1.ratio,
      headline,
      sentence: `${headline}: ${counted}; ${ratio}`,
    };
  }
  const classes = standingClasses(lengths);
  const kind = kindOf(classes, !short);
  const value = dominanceRatio(lengths);
  const headline = headlineOf(kind, classes);
  return {
    kind,
    classes,
    resampled: false,
    tooFewBars: short,
    resamples: 0,
    agreeing: 0,
    unit: null,
    level: null,
    ratio: { value, low: null, high: null },
    headline,
    sentence:
      `${headline} (one sample, no resampling): ` +
      (short ? shortNote : '') +
      (short && value !== null ? '; ' : '') +
      (value === null ? (short ? '' : 'fewer than two H1 bars') : `longest bar ${formatRatio(value)} the next`),
  };
}

function describeFrequency(frequency: readonly number[], resamples: number): string {
  return frequency
    .map((f, s) => [Math.round(f * resamples), s] as const)
    .filter(([n]) => n > 0)
    .map(([n, s]) => `${n} show ${s === 0 ? 'none' : s === 1 ? 'one class' : `${s} classes`}`)
    .join(', ');
}

/**
 * Whether two verdicts differ beyond their uncertainty: different decided answers, or ratio intervals that do not
 * overlap. Null when either rests on one sample (nothing to judge the difference by).
 */
export function verdictsDiffer(a: Verdict, b: Verdict): boolean | null {
  if (!a.resampled || !b.resampled) return null;
  if (a.kind !== 'undecided' && b.kind !== 'undecided' && a.classes !== b.classes) return true;
  const { low: al, high: ah } = a.ratio;
  const { low: bl, high: bh } = b.ratio;
  if (al === null || ah === null || bl === null || bh === null) return false;
  return ah < bl || bh < al;
}

/** How the Mapper graph's loops stand beside the barcode's verdict. */
export interface GraphAgreement {
  /** Loops of the graph on the full core. */
  loops: number;
  /**
   * Over the Mapper bootstrap's resamples (when it ran and kept the counts): the count the graph supports, read by
   * the barcode's rule (the upper median), and how many resample graphs show it. Null without those counts.
   */
  resampled: { loops: number; agreeing: number; resamples: number; frequency: Array<[number, number]> } | null;
  /**
   * agree / graph-more (loops the barcode does not single out) / graph-fewer (a class the graph misses) /
   * undecided: the barcode's resamples disagree, or the bootstrap graphs do.
   */
  kind: 'agree' | 'graph-more' | 'graph-fewer' | 'undecided';
  undecidedBy: 'barcode' | 'graph' | 'both' | null;
}

/**
 * The graph against the barcode by one rule: the barcode's side is its verdict's supported count (`significant`,
 * or "undecided"); the graph's side is its loop count, or, when the Mapper bootstrap kept each resample graph's
 * count, the upper median of those counts, undecided when fewer than AGREEMENT of them show it (the barcode's
 * rule, applied to the graph's own resamples).
 */
export function graphAgreement(verdict: Verdict, loops: number, loopCounts?: readonly number[]): GraphAgreement {
  let resampled: GraphAgreement['resampled'] = null;
  let graphDecided = true;
  let graphLoops = loops;
  if (loopCounts && loopCounts.length > 0) {
    const sorted = [...loopCounts].sort((a, b) => a - b);
    graphLoops = sorted[Math.floor(sorted.length / 2)];
    const agreeing = sorted.filter((c) => c === graphLoops).length;
    const counts = new Map<number, number>();
    for (const c of sorted) counts.set(c, (counts.get(c) ?? 0) + 1);
    resampled = { loops: graphLoops, agreeing, resamples: sorted.length, frequency: [...counts] };
    graphDecided = agreeing / sorted.length >= AGREEMENT;
  }
  const barcodeDecided = verdict.kind !== 'undecided';
  const undecidedBy =
    !barcodeDecided && !graphDecided ? 'both' : !barcodeDecided ? 'barcode' : !graphDecided ? 'graph' : null;
  const kind: GraphAgreement['kind'] = undecidedBy
    ? 'undecided'
    : graphLoops === verdict.classes
      ? 'agree'
      : graphLoops > verdict.classes
        ? 'graph-more'
        : 'graph-fewer';
  return { loops, resampled, kind, undecidedBy };
}
