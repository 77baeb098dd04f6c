import type { MapperGraph } from '../result/schema';
import type { GraphLayout } from './forceLayout';
import { glyphColours } from './glyph';

/**
 * Above these sizes the Mapper view draws on a canvas instead of one SVG element per node and edge: the schema's
 * largest graph (20,000 nodes, 200,000 edges) is about 400,000 SVG elements, which blocked the page for 19 s.
 */
export const CANVAS_ABOVE_NODES = 1500;
export const CANVAS_ABOVE_EDGES = 6000;

export function drawsOnCanvas(graph: MapperGraph): boolean {
  return graph.nodes.length > CANVAS_ABOVE_NODES || graph.edges.length > CANVAS_ABOVE_EDGES;
}

export interface CanvasScene {
  graph: MapperGraph;
  layout: GraphLayout;
  /** Node positions in graph.nodes by node id; edges naming a missing node are skipped. */
  indexOf: ReadonlyMap<number, number>;
  maxWeight: number;
  /** The zoom: screen = k * layout + (x, y), in layout units. */
  transform: { k: number; x: number; y: number };
  fill: (i: number) => string;
  picked: ReadonlySet<number>;
  highlighted: ReadonlySet<number>;
}

/** Edge widths are grouped into this many strokes, so 200,000 edges are a few paths rather than 200,000. */
const WIDTH_CLASSES = 4;
/** A glyph is drawn only where its disc is this many pixels across or more; smaller, it is noise. */
const GLYPH_MIN_PIXELS = 12;

/** Edges, then nodes, per step of drawSteps: small enough that one step stays well under a frame's work. */
const EDGES_PER_STEP = 20_000;
const NODES_PER_STEP = 2_500;

/**
 * Draws the graph as MapperGraph.svelte's SVG would, on a canvas context scaled to the layout's units, one chunk
 * per step: the caller runs steps while its frame has time and resumes in the next frame, so even the schema's
 * largest graph never blocks the page for one long task.
 */
export function* drawSteps(ctx: CanvasRenderingContext2D, scene: CanvasScene, pixelRatio: number): Generator<void> {
  const { graph, layout, indexOf, transform: t } = scene;
  const { xy, r } = layout;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(pixelRatio * t.k, 0, 0, pixelRatio * t.k, pixelRatio * t.x, pixelRatio * t.y);

  const lit = new Path2D();
  for (let start = 0; start < graph.edges.length; start += EDGES_PER_STEP) {
    const classes = Array.from({ length: WIDTH_CLASSES }, () => new Path2D());
    const end = Math.min(graph.edges.length, start + EDGES_PER_STEP);
    for (let k = start; k < end; k++) {
      const [a, b, w] = graph.edges[k];
      const i = indexOf.get(a);
      const j = indexOf.get(b);
      if (i === undefined || j === undefined) continue;
      const path =
        scene.picked.has(i) || scene.picked.has(j)
          ? lit
          : classes[Math.min(WIDTH_CLASSES - 1, Math.floor((w / scene.maxWeight) * WIDTH_CLASSES))];
      path.moveTo(xy[2 * i], xy[2 * i + 1]);
      path.lineTo(xy[2 * j], xy[2 * j + 1]);
    }
    ctx.globalAlpha = 0.8;
    ctx.strokeStyle = '#999';
    classes.forEach((path, c) => {
      ctx.lineWidth = 1 + (2 * (c + 0.5)) / WIDTH_CLASSES;
      ctx.stroke(path);
    });
    ctx.globalAlpha = 1;
    yield;
  }
  // Edges of picked nodes go over all the others, as in the SVG.
  ctx.strokeStyle = '#d6604d';
  ctx.lineWidth = 2;
  ctx.stroke(lit);

  for (let i = 0; i < graph.nodes.length; i++) {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    if (scene.highlighted.has(i)) {
      ctx.beginPath();
      ctx.arc(x, y, r[i] + 4, 0, 2 * Math.PI);
      ctx.strokeStyle = '#d6604d';
      ctx.lineWidth = 3;
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(x, y, r[i], 0, 2 * Math.PI);
    ctx.fillStyle = scene.fill(i);
    ctx.fill();
    if (scene.picked.has(i)) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
    if (2 * r[i] * t.k * pixelRatio >= GLYPH_MIN_PIXELS) {
      const side = r[i] * 1.2;
      glyphColours(graph.nodes[i].meanFilter).forEach((colour, k) => {
        ctx.fillStyle = colour;
        ctx.fillRect(
          x - side / 2 + (k % 3) * (side / 3),
          y - side / 2 + Math.floor(k / 3) * (side / 3),
          side / 3 + 0.05,
          side / 3 + 0.05,
        );
      });
    }
    if ((i + 1) % NODES_PER_STEP === 0) yield;
  }
}

/** drawSteps all at once (exports, tests). */
export function drawGraph(ctx: CanvasRenderingContext2D, scene: CanvasScene, pixelRatio: number): void {
  const steps = drawSteps(ctx, scene, pixelRatio);
  while (!steps.next().done);
}

/**
 * The node under a point given in layout units (the zoom already undone), or null: the topmost disc that holds
 * it, as on screen (later nodes are drawn over earlier ones). A scan of 20,000 nodes takes well under a
 * millisecond, so no spatial index is kept.
 */
export function nodeAt(layout: GraphLayout, x: number, y: number): number | null {
  const { xy, r } = layout;
  for (let i = r.length - 1; i >= 0; i--) {
    const dx = xy[2 * i] - x;
    const dy = xy[2 * i + 1] - y;
    if (dx * dx + dy * dy <= r[i] * r[i]) return i;
  }
  return null;
}
