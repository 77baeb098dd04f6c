import { emergencePoint } from '../../src/lib/analysis/emergence';
import type { EmergencePoint } from '../../src/lib/result/summary';
import type { ResultDocument } from '../../src/lib/result/schema';
import type { Meta, ResultStore } from './results';

/** Older versions read per request at most: each is a whole document, up to 8 MB. */
export const BACKFILL_PER_REQUEST = 12;

/**
 * The version list with every version's emergence point. Versions written before the list carried points get
 * them here, once: newest first, at most BACKFILL_PER_REQUEST documents per call, stored in the metadata so no
 * later request (and no client) reads those documents again. A version that cannot be read or analysed is stored
 * as null, so it is not retried either.
 */
export async function withEmergence(store: ResultStore, meta: Meta): Promise<Meta> {
  const missing = meta.versions
    .filter((v) => v.emergence === undefined)
    .map((v) => v.version)
    .sort((a, b) => b - a)
    .slice(0, BACKFILL_PER_REQUEST);
  if (missing.length === 0) return meta;
  const points = new Map<number, EmergencePoint | null>();
  for (const n of missing) {
    const stored = await store.version(meta.id, n);
    if (!stored) continue; // listed but not readable now: try again next time
    try {
      points.set(n, emergencePoint(JSON.parse(stored.body) as ResultDocument));
    } catch {
      points.set(n, null);
    }
  }
  return points.size ? store.recordEmergence(meta.id, points) : meta;
}
