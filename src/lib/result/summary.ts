import type { Bar, MapperGraph, ResultDocument, Source } from './schema';
import { PROFILE_SCHEMA_ID, type ProfileDocument } from './profileSchema';
import { verdictOf, type VerdictKind } from '../analysis/verdict';

/** What a gallery card or a comparison needs to know about a Mapper graph, without the graph. */
export interface MapperSummary {
  nodes: number;
  edges: number;
  /** Connected components of the graph. */
  components: number;
  /**
   * Loops of the graph: its flag complex's first Betti number where the document carries it (`mapper.loops`),
   * else the graph's own cycle count (edges - nodes + components), which also counts the triangles of the nerve.
   */
  cycles: number;
}

/** What a card or a one-line label says about where a result's filters came from. */
export type SourceSummary = Pick<Source, 'kind' | 'dataset' | 'architecture' | 'layer' | 'layerName' | 'step' | 'runs'>;

/**
 * A document's place in the emergence plot (src/lib/analysis/emergence.ts computes it): step and layer, the two
 * longest H1 bars, the Mapper graph's loops, the core's share near the axes and its size. Small enough to keep
 * with each version in the version list.
 */
export interface EmergencePoint {
  step: number | null;
  layer: number | null;
  longest: number;
  next: number;
  loops: number;
  nearAxes: number;
  core: number;
  /** The one verdict (analysis/verdict.ts) and the ratio's interval over the resamples; absent from older points. */
  verdict?: VerdictKind;
  resampled?: boolean;
  low?: number | null;
  high?: number | null;
}

/** One entry of a result's version list, as the API stores and serves it. */
export interface VersionEntry {
  version: number;
  createdAt: string;
  title?: string;
  dataset: string;
  architecture?: string;
  layer?: number;
  bytes: number;
  /**
   * Step, layer and bars of the version for the emergence plot (src/lib/analysis/emergence.ts), computed when the
   * version is written; null where it could not be derived from an older version.
   */
  emergence?: EmergencePoint | null;
}

/** The small public card of a result: enough for the gallery page to draw it without the whole document. */
export interface ResultSummary {
  title: string;
  createdAt: string;
  source: SourceSummary;
  sizes: { filters: number; kept: number; core: number; bars: number[] } & MapperSummary;
  /** The longest bars of each homology dimension, longest first (essential classes have death null). */
  topBars: Bar[][];
  /** Mean filters (3x3, row-major) of the largest Mapper nodes, ordered around the primary circle. */
  strip: number[][];
  /**
   * A whole network's profile (kleinscope/profile@1): its layers' pattern shares and H1 dominance, in network order,
   * for the card's chart. Absent for a layer result.
   */
  profile?: { layers: ProfileCardLayer[] };
  /** The one verdict on H1 (analysis/verdict.ts); absent from cards stored before it existed. */
  h1Verdict?: CardVerdict;
}

export interface ProfileCardLayer {
  layer: number;
  name: string;
  /** Shares of the core; null where the layer was not analysed or has no atlas. */
  patterns: { edge: number; line: number; other: number; centre: number; off: number } | null;
  /** Longest H1 bar over the next; null without two bars (Infinity is not JSON). */
  dominance: number | null;
}

export interface CardVerdict {
  kind: VerdictKind;
  headline: string;
  /** False: the verdict rests on one barcode (no resamples in the document). */
  resampled: boolean;
  resamples: number;
  agreeing: number;
  ratio: { value: number | null; low: number | null; high: number | null };
}

const TOP_BARS = 5;
const STRIP = 12;

/** Connected components and cycles of a Mapper graph by union-find; edges naming missing nodes are ignored. */
export function mapperSummary(graph: MapperGraph): MapperSummary {
  const index = new Map<number, number>();
  graph.nodes.forEach((node, i) => index.set(node.id, i));
  const parent = Int32Array.from(graph.nodes, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  let components = graph.nodes.length;
  let edges = 0;
  const seen = new Set<string>();
  for (const [s, t] of graph.edges) {
    const a = index.get(s);
    const b = index.get(t);
    if (a === undefined || b === undefined || a === b) continue;
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (seen.has(key)) continue; // a repeated edge is one edge of the nerve
    seen.add(key);
    edges++;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      parent[ra] = rb;
      components--;
    }
  }
  return {
    nodes: graph.nodes.length,
    edges,
    components,
    cycles: graph.loops ?? edges - graph.nodes.length + components,
  };
}

function persistence(bar: Bar): number {
  return bar[1] === null ? Infinity : bar[1] - bar[0];
}

/** The `k` longest bars of a diagram, longest first, ties broken by birth. */
export function topBars(diagram: readonly Bar[], k = TOP_BARS): Bar[] {
  return [...diagram]
    .sort((x, y) => {
      const px = persistence(x);
      const py = persistence(y);
      if (px === py) return x[0] - y[0];
      return px < py ? 1 : -1;
    })
    .slice(0, k)
    .map((b) => [b[0], b[1]] as Bar);
}

/** Circular mean of the primary-circle angles of a node's members, so the strip reads like a turning edge. */
function nodeAngle(members: readonly number[], angles: readonly number[]): number {
  let x = 0;
  let y = 0;
  for (const m of members) {
    const a = angles[m];
    if (a === undefined) continue;
    x += Math.cos(a);
    y += Math.sin(a);
  }
  if (x === 0 && y === 0) return 0;
  const t = Math.atan2(y, x);
  return t < 0 ? t + 2 * Math.PI : t;
}

function cardVerdict(doc: ResultDocument): CardVerdict {
  const v = verdictOf(doc);
  return {
    kind: v.kind,
    headline: v.headline,
    resampled: v.resampled,
    resamples: v.resamples,
    agreeing: v.agreeing,
    ratio: v.ratio,
  };
}

/** The gallery card of a document. Pure and cheap: the API stores it next to each published version. */
export function summarize(doc: ResultDocument | ProfileDocument): ResultSummary {
  if (doc.schema === PROFILE_SCHEMA_ID) return summarizeProfile(doc);
  const { source, preprocessing, mapper, persistence: ph, modelFit } = doc;
  const largest = [...mapper.nodes].sort((a, b) => b.size - a.size || a.id - b.id).slice(0, STRIP);
  const angles = modelFit.primaryCircle.angles;
  const strip = largest
    .map((node) => ({ angle: nodeAngle(node.members, angles), filter: [...node.meanFilter] }))
    .sort((a, b) => a.angle - b.angle)
    .map((s) => s.filter);
  const picked: SourceSummary = { kind: source.kind, dataset: source.dataset };
  if (source.architecture !== undefined) picked.architecture = source.architecture;
  if (source.layer !== undefined) picked.layer = source.layer;
  if (source.layerName !== undefined) picked.layerName = source.layerName;
  if (source.step !== undefined) picked.step = source.step;
  if (source.runs !== undefined) picked.runs = source.runs;
  return {
    title: displayTitle(doc),
    createdAt: doc.createdAt,
    source: picked,
    sizes: {
      filters: preprocessing.nInput,
      kept: preprocessing.nKept,
      core: preprocessing.nCore,
      bars: ph.diagrams.map((d) => d.length),
      ...mapperSummary(mapper),
    },
    topBars: ph.diagrams.map((d) => topBars(d)),
    strip,
    h1Verdict: cardVerdict(doc),
  };
}

/** The title a document is shown under everywhere (its page and its gallery card): its own, or one from its source. */
export function displayTitle(doc: Pick<ResultDocument, 'title' | 'source'>): string {
  return doc.title?.trim() || defaultTitle(doc) || 'Untitled result';
}

function defaultTitle(doc: Pick<ResultDocument, 'source'>): string {
  const s = doc.source;
  const parts = [s.dataset, s.architecture, s.layer !== undefined ? `layer ${s.layer}` : undefined];
  return parts.filter((p): p is string => !!p).join(' · ');
}

/**
 * A profile's card: the totals over its analysed layers, no bars of its own (each layer has its diagram), the
 * Klein-bottle class mean filters of the layers as its strip, and the chart's numbers.
 */
function summarizeProfile(doc: ProfileDocument): ResultSummary {
  const analysed = doc.layers.filter((l) => l.measures);
  const sum = (f: (l: (typeof analysed)[number]) => number) => analysed.reduce((s, l) => s + f(l), 0);
  const strip = analysed
    .filter((l) => l.patterns && l.patterns.classes.klein.count > 0)
    .slice(0, STRIP)
    .map((l) => [...l.patterns!.classes.klein.meanFilter]);
  const source: SourceSummary = { kind: doc.source.kind, dataset: doc.source.dataset };
  if (doc.source.architecture !== undefined) source.architecture = doc.source.architecture;
  return {
    title: displayTitle(doc),
    createdAt: doc.createdAt,
    source,
    sizes: {
      filters: doc.layers.reduce((s, l) => s + l.nFilters, 0),
      kept: sum((l) => l.analysed ?? 0),
      core: sum((l) => l.measures!.nCore),
      bars: [],
      nodes: sum((l) => l.measures!.mapperNodes),
      edges: sum((l) => l.measures!.mapperEdges),
      components: 0,
      cycles: 0,
    },
    topBars: [],
    strip,
    profile: {
      layers: doc.layers.map((l) => {
        const c = l.patterns?.classes;
        const m = l.measures;
        return {
          layer: l.layer,
          name: l.name,
          patterns: c
            ? { edge: c.edge.share, line: c.line.share, other: c.other.share, centre: c.centre.share, off: c.off.share }
            : null,
          dominance: m?.longest != null && m.second != null && m.second > 0 ? m.longest / m.second : null,
        };
      }),
    },
  };
}

/**
 * What a result says about its primary circle, for the gallery's card, filter and sort. `resampled` verdicts come
 * from `persistence.confidence` (issue 20) where a document has it; a document without it (old ones, the seeded
 * MNIST results) is "unresampled": one sample, no resampling, and only the raw ratio is shown.
 */
export type Verdict = 'circle' | 'none' | 'several' | 'undecided' | 'unresampled';
export const VERDICTS: readonly Verdict[] = ['circle', 'none', 'several', 'undecided', 'unresampled'];

export interface VerdictSummary {
  verdict: Verdict;
  /** Longest H1 bar over the next; null with fewer than two bars (see h1Bars), so JSON never carries Infinity. */
  ratio: number | null;
  h1Bars: number;
}

/**
 * The gallery's verdict: the one rule of analysis/verdict.ts where the document resampled its barcode; a document
 * without resamples is "unresampled" in the gallery, since one sample's count is not a verdict to filter by.
 */
export function verdictSummary(doc: Pick<ResultDocument, 'persistence'> | ProfileDocument): VerdictSummary {
  // A profile has one verdict per layer (on its chart), none of its own.
  if (!('persistence' in doc)) return { verdict: 'unresampled', ratio: null, h1Bars: 0 };
  const v = verdictOf(doc);
  const h1Bars = doc.persistence.diagrams[1]?.length ?? 0;
  const ratio = v.ratio.value !== null && Number.isFinite(v.ratio.value) ? v.ratio.value : null;
  const verdict: Verdict = !v.resampled ? 'unresampled' : v.kind === 'classes' ? 'several' : v.kind;
  return { verdict, ratio, h1Bars };
}
