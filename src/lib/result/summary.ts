import type { Bar, MapperGraph, ResultDocument, Source } from './schema';
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

/** One entry of a result's version list, as the API stores and serves it. */
export interface VersionEntry {
  version: number;
  createdAt: string;
  title?: string;
  dataset: string;
  architecture?: string;
  layer?: number;
  bytes: number;
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
  /** The one verdict on H1 (analysis/verdict.ts); absent from cards stored before it existed. */
  verdict?: CardVerdict;
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
export function summarize(doc: ResultDocument): ResultSummary {
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
    verdict: cardVerdict(doc),
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
