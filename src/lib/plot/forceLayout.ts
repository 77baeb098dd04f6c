import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from 'd3-force';
import type { MapperGraph } from '../result/schema';

export interface GraphLayout {
  width: number;
  height: number;
  /** Node centres, interleaved x0, y0, x1, y1, ... in node order. */
  xy: Float64Array;
  /** Node radii, in node order. */
  r: Float64Array;
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
  /** Ticks to run; the simulation is run to rest before anything is drawn, so the page never jitters. */
  ticks?: number;
}

/** Node radius grows with the square root of its size, so the area is proportional to the number of members. */
export function radii(graph: MapperGraph, minRadius: number, maxRadius: number): Float64Array {
  let largest = 1;
  for (const n of graph.nodes) largest = Math.max(largest, n.size);
  return Float64Array.from(graph.nodes, (n) => minRadius + (maxRadius - minRadius) * Math.sqrt(n.size / largest));
}

/**
 * Starts each node at its lens value when the lens is two-dimensional (the PCA lens puts the primary circle on
 * a circle already), scaled to the spread the forces will settle at. Starting from d3's spiral instead, long
 * cycles often settle twisted into figure eights.
 */
function seedFromLens(graph: MapperGraph, nodes: SimNode[]): void {
  const ok = graph.nodes.every((n) => n.lens.length >= 2 && Number.isFinite(n.lens[0]) && Number.isFinite(n.lens[1]));
  if (!ok || nodes.length < 3) return;
  let mx = 0;
  let my = 0;
  for (const n of graph.nodes) {
    mx += n.lens[0] / nodes.length;
    my += n.lens[1] / nodes.length;
  }
  let spread = 0;
  for (const n of graph.nodes) spread = Math.max(spread, Math.hypot(n.lens[0] - mx, n.lens[1] - my));
  if (!(spread > 0)) return;
  let area = 0;
  for (const d of nodes) area += (2 * d.r + 12) ** 2;
  const scale = Math.sqrt(area) / spread;
  graph.nodes.forEach((n, i) => {
    // A little deterministic jitter splits nodes whose lens values coincide.
    nodes[i].x = (n.lens[0] - mx) * scale + Math.cos(i * 2.4) * 0.5;
    nodes[i].y = (n.lens[1] - my) * scale + Math.sin(i * 2.4) * 0.5;
  });
}

/**
 * A force-directed layout of the Mapper graph, fitted into width x height. d3-force seeds its nodes on a
 * phyllotaxis spiral and jiggles with a fixed-seed generator, so the same graph always gets the same picture.
 */
export function forceLayout(graph: MapperGraph, options: LayoutOptions = {}): GraphLayout {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const n = graph.nodes.length;
  const r = radii(graph, options.minRadius ?? 8, options.maxRadius ?? (n > 400 ? 12 : 22));
  const xy = new Float64Array(2 * n);
  if (n === 0) return { width, height, xy, r };

  const index = new Map<number, number>();
  graph.nodes.forEach((node, i) => index.set(node.id, i));
  const nodes: SimNode[] = graph.nodes.map((_, i) => ({ index: i, r: r[i] }));
  seedFromLens(graph, nodes);
  const links = graph.edges
    .filter(([a, b]) => index.has(a) && index.has(b) && a !== b)
    .map(([a, b]) => ({ source: index.get(a)!, target: index.get(b)! }));

  const sim = forceSimulation<SimNode>(nodes)
    .force('charge', forceManyBody<SimNode>().strength(-120))
    .force(
      'link',
      forceLink<SimNode, { source: number; target: number }>(links)
        .id((d) => d.index)
        .distance((l) => 12 + (l.source as unknown as SimNode).r + (l.target as unknown as SimNode).r),
    )
    .force(
      'collide',
      forceCollide<SimNode>((d) => d.r + 2),
    )
    // Weak centring keeps separate components of the nerve on screen instead of drifting apart.
    .force('x', forceX<SimNode>(0).strength(0.05))
    .force('y', forceY<SimNode>(0).strength(0.05))
    .stop();
  const ticks = options.ticks ?? Math.ceil(Math.log(sim.alphaMin()) / Math.log(1 - sim.alphaDecay()));
  for (let t = 0; t < ticks; t++) sim.tick();

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
  return { width, height, xy, r };
}
