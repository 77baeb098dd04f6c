/**
 * A 4-ary heap of (diameter, index, coefficient); the top has the smallest diameter, then the largest index.
 * Diameter and index sit side by side in one array, and four children share a cache line or two, so a pop
 * walks half as many levels as in a binary heap. Over Z/2 every coefficient is 1, so a heap made without
 * coefficients never touches them: its sift loops move only the (diameter, index) pairs.
 */
export class EntryHeap {
  e = new Float64Array(512);
  /** Empty when the heap keeps no coefficients (Z/2): coefficient() is then always 1. */
  c: Uint8Array;
  size = 0;

  constructor(readonly withCoefficients = true) {
    this.c = new Uint8Array(withCoefficients ? 256 : 0);
  }

  /** The coefficient at position i. */
  coefficient(i: number): number {
    return this.withCoefficients ? this.c[i] : 1;
  }

  private grow(): void {
    const e = new Float64Array(this.e.length * 2);
    e.set(this.e);
    this.e = e;
    if (this.withCoefficients) {
      const c = new Uint8Array(this.c.length * 2);
      c.set(this.c);
      this.c = c;
    }
  }

  push(diam: number, index: number, coef: number): void {
    if (2 * this.size === this.e.length) this.grow();
    const e = this.e;
    let i = this.size++;
    if (!this.withCoefficients) {
      while (i > 0) {
        const up = (i - 1) >> 2;
        const ud = e[2 * up];
        if (!(diam < ud || (diam === ud && index > e[2 * up + 1]))) break;
        e[2 * i] = ud;
        e[2 * i + 1] = e[2 * up + 1];
        i = up;
      }
      e[2 * i] = diam;
      e[2 * i + 1] = index;
      return;
    }
    const c = this.c;
    while (i > 0) {
      const up = (i - 1) >> 2;
      const ud = e[2 * up];
      if (!(diam < ud || (diam === ud && index > e[2 * up + 1]))) break;
      e[2 * i] = ud;
      e[2 * i + 1] = e[2 * up + 1];
      c[i] = c[up];
      i = up;
    }
    e[2 * i] = diam;
    e[2 * i + 1] = index;
    c[i] = coef;
  }

  pop(): void {
    this.removeAt(0);
  }

  /** The position of the first of i's children that comes first, or -1 without children. */
  firstChild(i: number): number {
    const n = this.size;
    const e = this.e;
    const first = 4 * i + 1;
    if (first >= n) return -1;
    let best = first;
    let bd = e[2 * first];
    let bx = e[2 * first + 1];
    const last = Math.min(first + 4, n);
    for (let ch = first + 1; ch < last; ch++) {
      const d = e[2 * ch];
      if (d < bd || (d === bd && e[2 * ch + 1] > bx)) {
        best = ch;
        bd = d;
        bx = e[2 * ch + 1];
      }
    }
    return best;
  }

  /**
   * Removes the entry at position i (whose parent, if any, is not after anything below i). The hole sinks to a
   * leaf along the first children, and the last entry moves up into it.
   */
  removeAt(i: number): void {
    const n = --this.size;
    if (i === n) return;
    const e = this.e;
    const keep = this.withCoefficients;
    const c = this.c;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let best = first;
      let bd = e[2 * first];
      let bx = e[2 * first + 1];
      const last = first + 4 < n ? first + 4 : n;
      for (let ch = first + 1; ch < last; ch++) {
        const d = e[2 * ch];
        if (d < bd || (d === bd && e[2 * ch + 1] > bx)) {
          best = ch;
          bd = d;
          bx = e[2 * ch + 1];
        }
      }
      e[2 * i] = bd;
      e[2 * i + 1] = bx;
      if (keep) c[i] = c[best];
      i = best;
    }
    const diam = e[2 * n];
    const index = e[2 * n + 1];
    const coef = keep ? c[n] : 1;
    // Stop at an equal entry too, so that a copy of the root never displaces it.
    while (i > 0) {
      const up = (i - 1) >> 2;
      const ud = e[2 * up];
      if (!(diam < ud || (diam === ud && index > e[2 * up + 1]))) break;
      e[2 * i] = ud;
      e[2 * i + 1] = e[2 * up + 1];
      if (keep) c[i] = c[up];
      i = up;
    }
    e[2 * i] = diam;
    e[2 * i + 1] = index;
    if (keep) c[i] = coef;
  }
}
