// Shared helpers of the persistent homology tests (not a test file itself).
import { spawnSync } from 'node:child_process';
import type { ParallelTuning } from '../../src/lib/tda/parallelRunner';

// `npm test` installs Debian's ripser or stops, so its absence is a failure here, never a skip.
export const RIPSER = '/usr/bin/ripser';
export const EXAMPLES = new URL('../../../shared/bench/ripser-examples/', import.meta.url).pathname;

/** Runs Debian's ripser and returns its barcodes, dimension by dimension, in its order. */
export function ripser(args: string[], input?: string): Array<Array<[number, number]>> {
  const r = spawnSync(RIPSER, args, { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ripser ${args.join(' ')} failed: ${r.stderr}`);
  return parseBarcodes(r.stdout);
}

export function parseBarcodes(text: string): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('persistence intervals in dim')) out.push([]);
    const m = /^ \[([^,]+),\s*([^)]*)\)$/.exec(line);
    if (m) out[out.length - 1].push([Number(m[1]), m[2].trim() === '' ? Infinity : Number(m[2])]);
  }
  return out;
}

/** Interval by interval, in order, within float tolerance. */
export function expectSameBarcodes(
  ours: Array<Array<[number, number]>>,
  theirs: Array<Array<[number, number]>>,
  tolerance = 1e-5,
): void {
  if (ours.length !== theirs.length) throw new Error(`dimensions: ${ours.length} vs ${theirs.length}`);
  ours.forEach((bars, d) => {
    if (bars.length !== theirs[d].length) throw new Error(`H${d}: ${bars.length} bars vs ripser's ${theirs[d].length}`);
    bars.forEach(([b, e], i) => {
      const [rb, re] = theirs[d][i];
      const close = (x: number, y: number) => x === y || Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(y));
      if (!close(b, rb) || !close(e, re)) throw new Error(`H${d} bar ${i}: [${b}, ${e}) vs ripser's [${rb}, ${re})`);
    });
  });
}

/** A deterministic uniform generator (mulberry32): the library's own. */
export { seededRandom as random } from '../../src/lib/tda/random';

/** Bars longer than a length, per dimension. */
export function longBars(diagrams: Array<Array<[number, number]>>, length: number): number[] {
  return diagrams.map((bars) => bars.filter(([b, d]) => d - b > length).length);
}

/** Tiny sizes: every phase goes parallel, and batches of 7 columns make many pivots collide within a batch. */
export const TINY: ParallelTuning = {
  parallelEdges: 1,
  points: 1,
  edges: 1,
  simplices: 1,
  columns: 1,
  batch: 7,
  batchChunk: 2,
  patience: 2000,
};
