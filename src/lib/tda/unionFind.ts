/** Disjoint sets over 0..n-1 with path halving and union by rank: the H0 barcode is Kruskal's algorithm. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly rank: Uint8Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.rank = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }

  /** Joins the sets of two roots. */
  link(x: number, y: number): void {
    if (x === y) return;
    if (this.rank[x] > this.rank[y]) this.parent[y] = x;
    else {
      this.parent[x] = y;
      if (this.rank[x] === this.rank[y]) this.rank[y]++;
    }
  }
}
