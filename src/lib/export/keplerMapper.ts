import type { MapperGraph } from '../result/schema';

/** The shape of the graph dictionary KeplerMapper's `map()` returns, which its `visualize()` and tools read. */
export interface KeplerMapperGraph {
  nodes: Record<string, number[]>;
  links: Record<string, string[]>;
  simplices: string[][];
  meta_data: { projection: string; n_cubes: number; perc_overlap: number; clusterer: string };
  /** What KeplerMapper has no field for; its readers ignore unknown keys. */
  kleinscope: { nodes: Record<string, { meanFilter: number[]; density: number; lens: number[] }> };
}

const key = (id: number) => `node${id}`;

export function toKeplerMapper(graph: MapperGraph): KeplerMapperGraph {
  const nodes: Record<string, number[]> = {};
  const extra: KeplerMapperGraph['kleinscope']['nodes'] = {};
  for (const n of graph.nodes) {
    nodes[key(n.id)] = [...n.members];
    extra[key(n.id)] = { meanFilter: [...n.meanFilter], density: n.density, lens: [...n.lens] };
  }
  // KeplerMapper lists each edge once, under one of its ends.
  const links: Record<string, string[]> = {};
  const seen = new Set<string>();
  const simplices: string[][] = graph.nodes.map((n) => [key(n.id)]);
  for (const [a, b] of graph.edges) {
    if (a === b) continue;
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const id = `${lo},${hi}`;
    if (seen.has(id)) continue;
    seen.add(id);
    (links[key(lo)] ??= []).push(key(hi));
    simplices.push([key(lo), key(hi)]);
  }
  return {
    nodes,
    links,
    simplices,
    meta_data: {
      projection: graph.lens,
      n_cubes: graph.resolution,
      // With gain g every point lies in about g cover sets; KeplerMapper states the same as the overlap share.
      perc_overlap: graph.gain > 1 ? 1 - 1 / graph.gain : 0,
      clusterer: graph.clustering,
    },
    kleinscope: { nodes: extra },
  };
}
