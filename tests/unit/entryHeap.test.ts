// The reduction's heap (src/lib/tda/entryHeap.ts) on its own: the order it pops in, with and without coefficients,
// through growth, ties and removals below the root.
import { describe, expect, test } from 'vitest';
import { EntryHeap } from '../../src/lib/tda/entryHeap';
import { random } from './ph-support';

interface Entry {
  d: number;
  x: number;
  c: number;
}

/** Smallest diameter first, then largest index: the filtration order of the coboundary. */
const before = (a: Entry, b: Entry) => (a.d !== b.d ? a.d - b.d : b.x - a.x);

function entries(count: number, seed: number): Entry[] {
  const r = random(seed);
  // Few distinct diameters and indices, so that ties and copies of one simplex are common; indices up to 2^50.
  return Array.from({ length: count }, () => ({
    d: Math.fround(Math.floor(r() * 40) / 7),
    x: Math.floor(r() * 300) * 2 ** 42 + Math.floor(r() * 5),
    c: 1 + Math.floor(r() * 4),
  }));
}

function drain(heap: EntryHeap): Entry[] {
  const out: Entry[] = [];
  while (heap.size > 0) {
    out.push({ d: heap.d[0], x: heap.x[0], c: heap.coefficient(0) });
    heap.pop();
  }
  return out;
}

describe('EntryHeap', () => {
  test.each([true, false])('pops in filtration order (coefficients: %s), growing from its first size', (coefs) => {
    const input = entries(5000, coefs ? 1 : 2);
    const heap = new EntryHeap(coefs);
    for (const e of input) heap.push(e.d, e.x, e.c);
    expect(heap.size).toBe(5000);
    const out = drain(heap);
    const keys = (list: Entry[]) => list.map((e) => [e.d, e.x]);
    expect(keys(out)).toEqual(keys([...input].sort(before)));
    if (coefs) {
      // Each (diameter, index) keeps the multiset of coefficients pushed with it.
      const sums = (list: Entry[]) => {
        const m = new Map<string, number[]>();
        for (const e of list) m.set(`${e.d}:${e.x}`, [...(m.get(`${e.d}:${e.x}`) ?? []), e.c].sort());
        return m;
      };
      expect(sums(out)).toEqual(sums(input));
    } else expect(out.every((e) => e.c === 1)).toBe(true);
  });

  test('a copy of the top is always one of its children, and removing it keeps the order', () => {
    const r = random(3);
    const heap = new EntryHeap(true);
    const live: Entry[] = [];
    for (let round = 0; round < 4000; round++) {
      if (heap.size > 0 && r() < 0.4) {
        // Push a copy of the top, as a reduction does when a column's pivot comes back; it must sit right below it.
        const top = { d: heap.d[0], x: heap.x[0], c: 2 };
        heap.push(top.d, top.x, top.c);
        live.push(top);
        const child = heap.firstChild(0);
        expect(child).toBeGreaterThan(0);
        expect([heap.d[child], heap.x[child]]).toEqual([top.d, top.x]);
        heap.removeAt(child);
        live.splice(live.indexOf(top), 1);
      } else {
        const [e] = entries(1, round + 10);
        heap.push(e.d, e.x, e.c);
        live.push(e);
      }
    }
    expect(drain(heap).map((e) => [e.d, e.x])).toEqual([...live].sort(before).map((e) => [e.d, e.x]));
  });
});
