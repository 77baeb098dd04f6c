import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from 'd3-force';
import type { MapperGraph } from '../result/schema';

export interface GraphLayout {
  width: number;
  height: number;
  /** Node centres, interleaved x0, y0, x1, y1, ... in node order. */
  xy: Float64Array;
  /** Node radii, in node order. */
  r: Float64Array;
  /** Simulation ticks run; 0 when the graph was too large to simulate and its nodes sit where they were seeded. */
  ticks: number;
}

interface SimNode {
  index: number;
  x?: number;
  y?: number;
  r: number;
}

export interface LayoutOptions {
  width?: number;
  height?: number;
  minRadius?: number;
  maxRadius?: number;
  /**
   * Ticks to run; the simulation cools to rest within them before anything is drawn, so the page never jitters.
   * By default as many as WORK_BUDGET allows for the graph's size, at most d3's usual 300.
   */
  ticks?: number;
  /**
   * Wall-clock milliseconds the layout may take; past it the ticks stop where they are (a slow or busy machine).
   * At least one tick always runs.
   */
  timeBudgetMs?: number;
}

/**
 * Node and edge visits one layout may spend, summed over its ticks. A tick costs about (nodes + edges) visits, so
 * a graph of up to ~3,000 nodes and edges gets d3's full 300 ticks, and the schema's largest (20,000 nodes and
 * 200,000 edges) gets a handful: a rough picture in about a second instead of two minutes of computing.
 */
export const WORK_BUDGET = 1_000_000;
/** Ticks even the largest graph gets, so the lens (or d3's spiral) start is pulled into shape a little. */
const MIN_TICKS = 3;
/**
 * A graph whose budget is fewer ticks than this is not simulated at all: building d3's forces for it costs as much
 * as several ticks, and a few hot ticks only blur the seed. Its nodes stay at their lens values (or d3's spiral).
 */
const SIMULATE_MIN_TICKS = 8;
/** Above this many nodes the discs are too small to keep apart, and collision is the costliest force per tick. */
const COLLIDE_MAX_NODES = 5000;

/** The ticks a graph of `nodes` nodes and `edges` edges gets: WORK_BUDGET's share, between MIN_TICKS and `full`. */
export function tickBudget(nodes: number, edges: number, full: number): number {
  return Math.max(Math.min(MIN_TICKS, full), Math.min(full, Math.floor(WORK_BUDGET / Math.max(1, nodes + edges))));
}

/**
 * What the layout reads of a graph, as typed arrays: posted to the layout worker they are transferred, not
 * copied, and building them reads each node and edge once (a structured clone of the schema's largest graph, or
 * Svelte's $state.snapshot of it, blocked the page for about two seconds).
 */
export interface LayoutGraph {
  /** Node sizes (members), in node order. */
  size: Float64Array;
  /** The first two lens coordinates per node, interleaved; NaN where the lens has fewer. */
  lens: Float64Array;
  /** Edges as pairs of node positions (not ids), loops and edges to missing nodes left out. */
  edges: Int32Array;
}

export function layoutGraph(graph: MapperGraph): LayoutGraph {
  const n = graph.nodes.length;
  const size = new Float64Array(n);
  const lens = new Float64Array(2 * n);
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const node = graph.nodes[i];
    index.set(node.id, i);
    size[i] = node.size;
    lens[2 * i] = node.lens.length >= 2 ? node.lens[0] : NaN;
    lens[2 * i + 1] = node.lens.length >= 2 ? node.lens[1] : NaN;
  }
  const pairs: number[] = [];
  for (const [a, b] of graph.edges) {
    const i = index.get(a);
    const j = index.get(b);
    if (i !== undefined && j !== undefined && i !== j) pairs.push(i, j);
  }
  return { size, lens, edges: Int32Array.from(pairs) };
}

/** Node radius grows with the square root of its size, so the area is proportional to the number of members. */
export function radii(size: ArrayLike<number>, minRadius: number, maxRadius: number): Float64Array {
  let largest = 1;
  for (let i = 0; i < size.length; i++) largest = Math.max(largest, size[i]);
  return Float64Array.from(size, (s) => minRadius + (maxRadius - minRadius) * Math.sqrt(s / largest));
}

/**
 * Starts each node at its lens value when the lens is two-dimensional (the PCA lens puts the primary circle on
 * a circle already), scaled to the spread the forces will settle at. Starting from d3's spiral instead, long
 * cycles often settle twisted into figure eights.
 */
function seedFromLens(lens: Float64Array, nodes: SimNode[]): void {
  if (!lens.every(Number.isFinite) || nodes.length < 3) return;
  const n = nodes.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += lens[2 * i] / n;
    my += lens[2 * i + 1] / n;
  }
  let spread = 0;
  for (let i = 0; i < n; i++) spread = Math.max(spread, Math.hypot(lens[2 * i] - mx, lens[2 * i + 1] - my));
  if (!(spread > 0)) return;
  let area = 0;
  for (const d of nodes) area += (2 * d.r + 12) ** 2;
  const scale = Math.sqrt(area) / spread;
  for (let i = 0; i < n; i++) {
    // A little deterministic jitter splits nodes whose lens values coincide.
    nodes[i].x = (lens[2 * i] - mx) * scale + Math.cos(i * 2.4) * 0.5;
    nodes[i].y = (lens[2 * i + 1] - my) * scale + Math.sin(i * 2.4) * 0.5;
  }
}

/**
 * A force-directed layout of the Mapper graph, fitted into width x height. d3-force seeds its nodes on a
 * phyllotaxis spiral and jiggles with a fixed-seed generator, so the same graph always gets the same picture.
 */
export function forceLayout(graph: MapperGraph, options: LayoutOptions = {}): GraphLayout {
  return layOut(layoutGraph(graph), options);
}

/** forceLayout of a graph already in layout form (what the layout worker receives). */
export function layOut(graph: LayoutGraph, options: LayoutOptions = {}): GraphLayout {
  // The time cap counts the set-up too: for the largest graphs building the forces costs as much as a tick.
  const deadline = performance.now() + (options.timeBudgetMs ?? Infinity);
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const n = graph.size.length;
  const r = radii(graph.size, options.minRadius ?? 8, options.maxRadius ?? (n > 400 ? 12 : 22));
  if (n === 0) return { width, height, xy: new Float64Array(0), r, ticks: 0 };

  const nodes: SimNode[] = Array.from({ length: n }, (_, i) => ({ index: i, r: r[i] }));
  seedFromLens(graph.lens, nodes);
  const simulate = options.ticks !== undefined || tickBudget(n, graph.edges.length / 2, 300) >= SIMULATE_MIN_TICKS;
  const ticks = simulate ? simulateForces(graph, nodes, n, options, deadline) : seedOnly(nodes);
  return fit(nodes, r, width, height, ticks);
}

/** d3's own start where the lens gave none: the phyllotaxis spiral (radius 10 sqrt(i + 1/2), golden angle). */
function seedOnly(nodes: SimNode[]): 0 {
  nodes.forEach((d, i) => {
    if (d.x !== undefined) return;
    const radius = 10 * Math.sqrt(0.5 + i);
    d.x = radius * Math.cos(i * Math.PI * (3 - Math.sqrt(5)));
    d.y = radius * Math.sin(i * Math.PI * (3 - Math.sqrt(5)));
  });
  return 0;
}

/** Runs the forces on the seeded nodes for the graph's tick budget (or options.ticks); returns the ticks run. */
function simulateForces(
  graph: LayoutGraph,
  nodes: SimNode[],
  n: number,
  options: LayoutOptions,
  deadline: number,
): number {
  const links = Array.from({ length: graph.edges.length / 2 }, (_, k) => ({
    source: graph.edges[2 * k],
    target: graph.edges[2 * k + 1],
  }));
  let sim = forceSimulation<SimNode>(nodes)
    .force('charge', forceManyBody<SimNode>().strength(-120))
    .force(
      'link',
      forceLink<SimNode, { source: number; target: number }>(links)
        .id((d) => d.index)
        .distance((l) => 12 + (l.source as unknown as SimNode).r + (l.target as unknown as SimNode).r),
    )
    // Weak centring keeps separate components of the nerve on screen instead of drifting apart.
    .force('x', forceX<SimNode>(0).strength(0.05))
    .force('y', forceY<SimNode>(0).strength(0.05))
    .stop();
  if (n <= COLLIDE_MAX_NODES)
    sim = sim.force(
      'collide',
      forceCollide<SimNode>((d) => d.r + 2),
    );
  const full = Math.ceil(Math.log(sim.alphaMin()) / Math.log(1 - sim.alphaDecay()));
  const ticks = Math.max(1, options.ticks ?? tickBudget(n, links.length, full));
  // Fewer ticks cool faster, so a shortened layout still ends at rest rather than frozen mid-motion.
  if (ticks < full) sim.alphaDecay(1 - sim.alphaMin() ** (1 / ticks));
  let t = 0;
  for (; t < ticks && (t === 0 || performance.now() < deadline); t++) sim.tick();
  return t;
}

/** Scales and centres the nodes into width x height (with the radii), as the view draws them. */
function fit(nodes: SimNode[], r: Float64Array, width: number, height: number, ticks: number): GraphLayout {
  const xy = new Float64Array(2 * nodes.length);

  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  nodes.forEach((d) => {
    x0 = Math.min(x0, d.x! - d.r);
    y0 = Math.min(y0, d.y! - d.r);
    x1 = Math.max(x1, d.x! + d.r);
    y1 = Math.max(y1, d.y! + d.r);
  });
  const pad = 4;
  // Small graphs are enlarged to fill the box, but their discs grow less so the edges stay visible.
  const scale = Math.min(2.5, (width - 2 * pad) / (x1 - x0 || 1), (height - 2 * pad) / (y1 - y0 || 1));
  const rScale = Math.min(scale, 1.5);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  nodes.forEach((d, i) => {
    xy[2 * i] = width / 2 + (d.x! - cx) * scale;
    xy[2 * i + 1] = height / 2 + (d.y! - cy) * scale;
    r[i] = Math.max(2, r[i] * rScale);
  });
  return { width, height, xy, r, ticks };
}
