import type { MapperGraph, ResultDocument } from '../result/schema';
import { cyclic, sequential } from './colour';

/** A numeric per-node quantity the graph can be coloured by. */
export interface NodeAttribute {
  name: string;
  /** One value per node, in node order; NaN where a node has no value. */
  values: Float64Array;
  /** Angles wrap round, so they get a cyclic scale and a fixed [0, 2pi) domain. */
  cyclic: boolean;
  min: number;
  max: number;
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

/** Names the graph can be coloured by: density, size, angle, then every numeric key of the nodes' attributes. */
export function attributeNames(graph: MapperGraph): string[] {
  const extra = new Set<string>();
  for (const node of graph.nodes) for (const key of Object.keys(node.attributes ?? {})) extra.add(key);
  const builtIn = ['density', 'size', 'angle'];
  return [...builtIn, ...[...extra].filter((k) => !builtIn.includes(k)).sort()];
}

export function nodeAttribute(doc: Pick<ResultDocument, 'mapper' | 'modelFit'>, name: string): NodeAttribute {
  const nodes = doc.mapper.nodes;
  const values = new Float64Array(nodes.length);
  const angles = doc.modelFit.primaryCircle.angles;
  nodes.forEach((node, i) => {
    if (name === 'density') values[i] = node.density;
    else if (name === 'size') values[i] = node.size;
    else if (name === 'angle') values[i] = meanAngle(node.members, angles);
    else values[i] = node.attributes?.[name] ?? Number.NaN;
  });
  if (name === 'angle') return { name, values, cyclic: true, min: 0, max: 2 * Math.PI };
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
  if (attr.cyclic) return cyclic(value);
  return sequential(attr.max > attr.min ? (value - attr.min) / (attr.max - attr.min) : 0.5);
}
