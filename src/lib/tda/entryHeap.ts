/**
 * A 4-ary heap of (diameter, index, coefficient); the top has the smallest diameter, then the largest index.
 * Diameters (single precision, as every length in the complex) and indices sit in arrays of their own: a sift
 * step compares four children's diameters from 16 bytes, and looks at their indices only on a tie, so a pop walks
 * half as many levels as in a binary heap over a quarter less memory than (diameter, index) pairs of doubles. Over
 * Z/2 every coefficient is 1, so a heap made without coefficients never touches them.
 */
export class EntryHeap {
  d = new Float32Array(256);
  x = new Float64Array(256);
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
    const cap = this.d.length * 2;
    const d = new Float32Array(cap);
    d.set(this.d);
    this.d = d;
    const x = new Float64Array(cap);
    x.set(this.x);
    this.x = x;
    if (this.withCoefficients) {
      const c = new Uint8Array(cap);
      c.set(this.c);
      this.c = c;
    }
  }

  /** Pushes an entry; diam must be a single-precision value (the heap stores it as one). */
  push(diam: number, index: number, coef: number): void {
    if (this.size === this.d.length) this.grow();
    const d = this.d;
    const x = this.x;
    let i = this.size++;
    if (!this.withCoefficients) {
      while (i > 0) {
        const up = (i - 1) >> 2;
        const ud = d[up];
        if (!(diam < ud || (diam === ud && index > x[up]))) break;
        d[i] = ud;
        x[i] = x[up];
        i = up;
      }
      d[i] = diam;
      x[i] = index;
      return;
    }
    const c = this.c;
    while (i > 0) {
      const up = (i - 1) >> 2;
      const ud = d[up];
      if (!(diam < ud || (diam === ud && index > x[up]))) break;
      d[i] = ud;
      x[i] = x[up];
      c[i] = c[up];
      i = up;
    }
    d[i] = diam;
    x[i] = index;
    c[i] = coef;
  }

  pop(): void {
    this.removeAt(0);
  }

  /** The position of the first of i's children that comes first, or -1 without children. */
  firstChild(i: number): number {
    const n = this.size;
    const first = 4 * i + 1;
    if (first >= n) return -1;
    const d = this.d;
    const x = this.x;
    let best = first;
    let bd = d[first];
    const last = Math.min(first + 4, n);
    for (let ch = first + 1; ch < last; ch++) {
      const cd = d[ch];
      if (cd < bd || (cd === bd && x[ch] > x[best])) {
        best = ch;
        bd = cd;
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
    const d = this.d;
    const x = this.x;
    const keep = this.withCoefficients;
    const c = this.c;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let best = first;
      let bd = d[first];
      const last = first + 4 < n ? first + 4 : n;
      for (let ch = first + 1; ch < last; ch++) {
        const cd = d[ch];
        if (cd < bd || (cd === bd && x[ch] > x[best])) {
          best = ch;
          bd = cd;
        }
      }
      d[i] = bd;
      x[i] = x[best];
      if (keep) c[i] = c[best];
      i = best;
    }
    const diam = d[n];
    const index = x[n];
    const coef = keep ? c[n] : 1;
    // Stop at an equal entry too, so that a copy of the root never displaces it.
    while (i > 0) {
      const up = (i - 1) >> 2;
      const ud = d[up];
      if (!(diam < ud || (diam === ud && index > x[up]))) break;
      d[i] = ud;
      x[i] = x[up];
      if (keep) c[i] = c[up];
      i = up;
    }
    d[i] = diam;
    x[i] = index;
    if (keep) c[i] = coef;
  }
}
