/**
 * Extended persistence (Cohen-Steiner, Edelsbrunner & Harer 2009) of a graph's flag complex with a height on its
 * nodes: the summary that Carriere & Oudot use for a Mapper graph, and whose bottleneck distance drives
 * Carriere-Michel-Oudot's bootstrap. A loop of the graph is an extended H1 point (ext1): it is born when the
 * rising sublevel set closes it and dies when the falling superlevel set (taken relative) does, so its
 * persistence is the height range the loop spans.
 *
 * Computed as ordinary persistence over Z/2 of the cone: the ascending filtration (a simplex enters at the
 * largest height of its vertices), then a cone vertex w, then w * sigma for each simplex in descending order of
 * its smallest height.
 */

export interface ExtendedDiagrams {
  /** Components: ordinary (merged on the way up) and extended (min, max of each component). */
  ord0: Array<[number, number]>;
  ext0: Array<[number, number]>;
  /** Loops: [height at which the rising sublevel set closes the loop, height at which the falling one does]. */
  ext1: Array<[number, number]>;
  /** Loops of sublevel sets filled by triangles on the way up, and the relative ones on the way down. */
  ord1: Array<[number, number]>;
  rel1: Array<[number, number]>;
}

export const DIAGRAM_TYPES = ['ord0', 'ext0', 'ext1', 'ord1', 'rel1'] as const;

interface Simplex {
  vertices: number[];
  up: number;
  down: number;
}

/** The extended diagrams of the flag complex (up to triangles) of a graph with node heights. */
export function extendedPersistence(
  nodeCount: number,
  edges: ReadonlyArray<readonly [number, number, number?]>,
  height: ArrayLike<number>,
): ExtendedDiagrams {
  const out: ExtendedDiagrams = { ord0: [], ext0: [], ext1: [], ord1: [], rel1: [] };
  if (nodeCount === 0) return out;
  const adjacency: Array<Set<number>> = Array.from({ length: nodeCount }, () => new Set());
  for (const [a, b] of edges)
    if (a !== b) {
      adjacency[a].add(b);
      adjacency[b].add(a);
    }
  const simplices: Simplex[] = [];
  const make = (vertices: number[]): Simplex => {
    let up = -Infinity;
    let down = Infinity;
    for (const v of vertices) {
      up = Math.max(up, height[v]);
      down = Math.min(down, height[v]);
    }
    return { vertices, up, down };
  };
  for (let v = 0; v < nodeCount; v++) simplices.push(make([v]));
  const edgeList: Array<[number, number]> = [];
  for (let a = 0; a < nodeCount; a++) for (const b of adjacency[a]) if (a < b) edgeList.push([a, b]);
  edgeList.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [a, b] of edgeList) simplices.push(make([a, b]));
  for (const [a, b] of edgeList)
    for (const c of adjacency[a]) if (c > b && adjacency[b].has(c)) simplices.push(make([a, b, c]));

  const key = (vs: number[]) => vs.join(',');
  const index = new Map<string, number>();
  simplices.forEach((s, i) => index.set(key(s.vertices), i));
  const S = simplices.length;
  const dimOf = (i: number) => simplices[i].vertices.length - 1;
  const facesOf = (i: number): number[] => {
    const vs = simplices[i].vertices;
    if (vs.length === 1) return [];
    return vs.map((_, drop) => index.get(key(vs.filter((__, t) => t !== drop)))!);
  };

  // Filtration positions: ascending simplices 0..S-1 in some order, w at S, then w*sigma.
  const ascending = Array.from({ length: S }, (_, i) => i).sort(
    (x, y) => simplices[x].up - simplices[y].up || dimOf(x) - dimOf(y) || x - y,
  );
  const descending = Array.from({ length: S }, (_, i) => i).sort(
    (x, y) => simplices[y].down - simplices[x].down || dimOf(x) - dimOf(y) || x - y,
  );
  const posUp = new Int32Array(S);
  ascending.forEach((s, p) => (posUp[s] = p));
  const posCone = new Int32Array(S);
  descending.forEach((s, p) => (posCone[s] = S + 1 + p));
  const total = 2 * S + 1;
  const columns: number[][] = new Array(total);
  ascending.forEach(
    (s, p) =>
      (columns[p] = facesOf(s)
        .map((f) => posUp[f])
        .sort((a, b) => a - b)),
  );
  columns[S] = [];
  descending.forEach((s, p) => {
    // d(w * sigma) = sigma + w * d(sigma) over Z/2; a vertex's cone edge has w itself as its other face.
    const faces = facesOf(s);
    const col = [posUp[s], ...(faces.length ? faces.map((f) => posCone[f]) : [S])];
    columns[S + 1 + p] = col.sort((a, b) => a - b);
  });

  const pivotOf = new Int32Array(total).fill(-1);
  const paired = new Uint8Array(total);
  for (let j = 0; j < total; j++) {
    let col = columns[j];
    while (col.length) {
      const low = col[col.length - 1];
      const other = pivotOf[low];
      if (other < 0) break;
      col = xorSorted(col, columns[other]);
    }
    columns[j] = col;
    if (col.length) {
      const low = col[col.length - 1];
      pivotOf[low] = j;
      paired[low] = 1;
      paired[j] = 1;
      record(low, j);
    }
  }

  function simplexAt(p: number): { cone: boolean; s: number } {
    return p < S ? { cone: false, s: ascending[p] } : { cone: true, s: descending[p - S - 1] };
  }
  function record(birth: number, death: number): void {
    const d = simplexAt(death);
    const deathValue = d.cone ? simplices[d.s].down : simplices[d.s].up;
    if (birth === S) {
      // The cone vertex's own class: it stands for the extended point of the component that holds the lowest
      // node, whose ascending class never dies.
      out.ext0.push([simplices[ascending[0]].up, deathValue]);
      return;
    }
    const b = simplexAt(birth);
    const birthValue = b.cone ? simplices[b.s].down : simplices[b.s].up;
    const dim = b.cone ? dimOf(b.s) + 1 : dimOf(b.s);
    if (dim === 0) (d.cone ? out.ext0 : out.ord0).push([birthValue, deathValue]);
    else if (dim === 1) {
      if (b.cone) out.rel1.push([birthValue, deathValue]);
      else (d.cone ? out.ext1 : out.ord1).push([birthValue, deathValue]);
    }
  }
  return out;
}

function xorSorted(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      i++;
      j++;
    }
  }
  return out;
}
