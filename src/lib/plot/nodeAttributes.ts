import type { MapperGraph, ResultDocument } from '../result/schema';
import { cyclic, PATTERN_COLOURS, PATTERN_NAMES, sequential } from './colour';

/** A numeric per-node quantity the graph can be coloured by. */
export interface NodeAttribute {
  name: string;
  /** One value per node, in node order; NaN where a node has no value. */
  values: Float64Array;
  /** Angles wrap round, so they get a cyclic scale and a fixed [0, 2pi) domain. */
  cyclic: boolean;
  min: number;
  max: number;
  /** A categorical attribute: value k is category k, drawn in its own colour, with a legend of names. */
  categories?: { names: readonly string[]; colours: readonly string[] };
}

/** Circular mean of the members' primary-circle angles in [0, 2pi); NaN if no member has an angle. */
export function meanAngle(members: readonly number[], angles: readonly number[]): number {
  let s = 0;
  let c = 0;
  let n = 0;
  for (const m of members) {
    const a = angles[m];
    if (a === undefined || !Number.isFinite(a)) continue;
    s += Math.sin(a);
    c += Math.cos(a);
    n++;
  }
  if (n === 0 || (s === 0 && c === 0)) return Number.NaN;
  const t = Math.atan2(s, c);
  return t < 0 ? t + 2 * Math.PI : t;
}

/** What the views need of a document to colour and search its nodes. */
export type AttributeSource = Pick<ResultDocument, 'mapper' | 'modelFit'> &
  Partial<Pick<ResultDocument, 'source' | 'preprocessing' | 'patternAtlas'>>;

/** Index into PATTERN_NAMES of the class most of `members` are in (the lowest on a tie); NaN with no labels. */
export function majorityPattern(members: readonly number[], labels: readonly number[]): number {
  const counts = new Array<number>(PATTERN_NAMES.length).fill(0);
  for (const m of members) {
    const l = labels[m];
    if (l !== undefined && l >= 0 && l < counts.length) counts[l]++;
  }
  let best = Number.NaN;
  let bestCount = 0;
  counts.forEach((c, k) => {
    if (c > bestCount) [best, bestCount] = [k, c];
  });
  return best;
}

/**
 * The training run (1-based) of each core point, when the document can tell: a pooled training of several runs,
 * analysed whole (a subsample loses the order), whose core points name their input filters. Runs are pooled run by
 * run, each giving the same number of filters.
 */
export function runOf(doc: AttributeSource): ((member: number) => number) | null {
  const src = doc.source;
  const pre = doc.preprocessing;
  const runs = src?.runs ?? 0;
  if (src?.kind !== 'training' || runs < 2 || src.subsample || !pre?.coreInput) return null;
  if (pre.nInput % runs !== 0) return null;
  const perRun = pre.nInput / runs;
  const input = pre.coreInput;
  return (m) => (input[m] === undefined ? Number.NaN : Math.floor(input[m] / perRun) + 1);
}

/**
 * Per core point values of an attribute, for a node's histogram of its members; null for an attribute that only
 * exists per node (density, size, codensity).
 */
export function memberValues(doc: AttributeSource, name: string): ((member: number) => number) | null {
  const fit = doc.modelFit;
  if (name === 'angle') return (m) => fit.primaryCircle.angles[m] ?? Number.NaN;
  if (name === 'circleDistance') return (m) => fit.primaryCircle.distances[m] ?? Number.NaN;
  if (name === 'kleinError') return (m) => fit.kleinBottle.errors[m] ?? Number.NaN;
  if (name === 'run') return runOf(doc);
  if (name === 'pattern' && doc.patternAtlas) {
    const labels = doc.patternAtlas.labels;
    return (m) => labels[m] ?? Number.NaN;
  }
  return null;
}

/**
 * Names the graph can be coloured by: density, size, angle, run (pooled trainings), then every numeric key of the
 * nodes' attributes.
 */
export function attributeNames(graph: MapperGraph, doc?: AttributeSource): string[] {
  const extra = new Set<string>();
  for (const node of graph.nodes) for (const key of Object.keys(node.attributes ?? {})) extra.add(key);
  const builtIn = [
    'density',
    'size',
    'angle',
    ...(doc?.patternAtlas ? ['pattern'] : []),
    ...(doc && runOf(doc) ? ['run'] : []),
  ];
  return [...builtIn, ...[...extra].filter((k) => !builtIn.includes(k)).sort()];
}

export function nodeAttribute(doc: AttributeSource, name: string): NodeAttribute {
  const nodes = doc.mapper.nodes;
  const values = new Float64Array(nodes.length);
  const angles = doc.modelFit.primaryCircle.angles;
  const run = name === 'run' ? runOf(doc) : null;
  nodes.forEach((node, i) => {
    if (name === 'density') values[i] = node.density;
    else if (name === 'size') values[i] = node.size;
    else if (name === 'angle') values[i] = meanAngle(node.members, angles);
    else if (name === 'pattern') values[i] = majorityPattern(node.members, doc.patternAtlas?.labels ?? []);
    else if (run) {
      // The mean run of the members, as KeplerMapper colours by the mean of any column.
      let s = 0;
      let n = 0;
      for (const m of node.members) {
        const r = run(m);
        if (Number.isFinite(r)) {
          s += r;
          n++;
        }
      }
      values[i] = n > 0 ? s / n : Number.NaN;
    } else values[i] = node.attributes?.[name] ?? Number.NaN;
  });
  if (name === 'angle') return { name, values, cyclic: true, min: 0, max: 2 * Math.PI };
  if (name === 'pattern')
    return {
      name,
      values,
      cyclic: false,
      min: 0,
      max: PATTERN_NAMES.length - 1,
      categories: { names: PATTERN_NAMES, colours: PATTERN_COLOURS },
    };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min > max) [min, max] = [0, 0];
  return { name, values, cyclic: false, min, max };
}

/** The colour of one value on the attribute's scale; grey for a missing value. */
export function colourOf(attr: NodeAttribute, value: number): string {
  if (!Number.isFinite(value)) return '#999';
  if (attr.categories) return attr.categories.colours[value] ?? '#999';
  if (attr.cyclic) return cyclic(value);
  return sequential(attr.max > attr.min ? (value - attr.min) / (attr.max - attr.min) : 0.5);
}

/** Counts of `values` in `bins` equal bins over [min, max]; non-finite values are left out. */
export function binCounts(values: ArrayLike<number>, min: number, max: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const span = max - min;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const b = span > 0 ? Math.min(bins - 1, Math.max(0, Math.floor(((v - min) / span) * bins))) : 0;
    counts[b]++;
  }
  return counts;
}

/**
 * The histogram a node's tooltip shows (as KeplerMapper's HTML does): the colour attribute over the node's members
 * where it has per-member values, else over all nodes, with this node's bin marked.
 */
export function nodeHistogram(
  doc: AttributeSource,
  attr: NodeAttribute,
  node: number,
  bins = 10,
): { counts: number[]; of: 'members' | 'nodes'; mark: number | null } {
  // A categorical attribute gets one bin per category.
  if (attr.categories) bins = attr.categories.names.length;
  const perMember = memberValues(doc, attr.name);
  const members = doc.mapper.nodes[node]?.members ?? [];
  if (perMember) {
    const values = members.map((m) => perMember(m));
    let [min, max] = attr.cyclic ? [0, 2 * Math.PI] : [attr.min, attr.max];
    // A node's members can reach beyond the range of the node means.
    for (const v of values) if (!attr.cyclic && Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
    return { counts: binCounts(values, min, max, bins), of: 'members', mark: null };
  }
  const counts = binCounts(attr.values, attr.min, attr.max, bins);
  const v = attr.values[node];
  const span = attr.max - attr.min;
  const mark = Number.isFinite(v)
    ? span > 0
      ? Math.min(bins - 1, Math.floor(((v - attr.min) / span) * bins))
      : 0
    : null;
  return { counts, of: 'nodes', mark };
}
