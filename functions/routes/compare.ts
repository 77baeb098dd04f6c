import { Hono } from 'hono';
import type { ResultDocument } from '../../src/lib/result/schema';
import { mapperSummary } from '../../src/lib/result/summary';
import { bottleneck, truncate, wasserstein, type Diagram } from '../../src/lib/tda/diagramDistance';
import type { Env } from '../env';
import { ApiError, checkId, parseVersion } from '../lib/http';
import { methodNotAllowed } from '../middleware/methods';
import { parseLimit, rateLimit } from '../middleware/rateLimit';
import { ResultStore } from '../storage/results';

/**
 * Exact distances cost O(n^3) (Wasserstein, Hungarian) and about O(n^2 log n) (bottleneck) in the diagram
 * sizes; past these sizes the most persistent points are compared and the answer carries an error bound.
 */
const EXACT_BOTTLENECK_POINTS = 2000;
const EXACT_WASSERSTEIN_POINTS = 300;

const limited = rateLimit('compare', (env) => parseLimit(env.RATE_LIMIT_COMPARE, { count: 120, seconds: 600 }));

interface Ref {
  id: string;
  version: number | null;
}

function parseRef(raw: string | undefined, name: string): Ref {
  if (!raw) throw new ApiError(400, 'bad_request', `query parameter '${name}' is required: ${name}=ID or ${name}=ID@N`);
  const [id, version, extra] = raw.split('@');
  if (extra !== undefined || !id) throw new ApiError(400, 'bad_request', `${name} must be ID or ID@N`);
  return { id: checkId(id), version: version === undefined ? null : parseVersion(version, `${name} version`) };
}

const toDiagram = (bars: ReadonlyArray<readonly [number, number | null]>): Diagram =>
  bars.map(([b, d]) => [b, d ?? Infinity] as [number, number]);

/** JSON has no Infinity: an infinite distance (different numbers of essential classes) is sent as null. */
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function qnorm(values: number[], q: number): number {
  return values.reduce((s, v) => s + v ** q, 0) ** (1 / q);
}

function compareDimension(dim: number, a: Diagram, b: Diagram) {
  const bn = distanceWithin(a, b, EXACT_BOTTLENECK_POINTS, bottleneck, (dropped) => Math.max(0, ...dropped));
  const w1 = distanceWithin(
    a,
    b,
    EXACT_WASSERSTEIN_POINTS,
    (x, y) => wasserstein(x, y, 1),
    (d) => qnorm(d, 1),
  );
  const w2 = distanceWithin(
    a,
    b,
    EXACT_WASSERSTEIN_POINTS,
    (x, y) => wasserstein(x, y, 2),
    (d) => qnorm(d, 2),
  );
  return {
    dim,
    points: [a.length, b.length],
    bottleneck: finiteOrNull(bn.value),
    wasserstein: finiteOrNull(w1.value),
    wasserstein2: finiteOrNull(w2.value),
    exact: bn.bound === 0 && w1.bound === 0 && w2.bound === 0,
    /** The true distance lies within value +- bound (0 when exact). */
    errorBound: { bottleneck: bn.bound, wasserstein: w1.bound, wasserstein2: w2.bound },
  };
}

/**
 * A distance on the `max` most persistent points of each diagram. By the triangle inequality the true distance
 * differs from it by at most the distance of each diagram to its truncation, which `bound` computes from the
 * half-persistences of the dropped points.
 */
function distanceWithin(
  a: Diagram,
  b: Diagram,
  max: number,
  distance: (a: Diagram, b: Diagram) => number,
  bound: (dropped: number[]) => number,
): { value: number; bound: number } {
  if (a.length <= max && b.length <= max) return { value: distance(a, b), bound: 0 };
  const ta = truncate(a, max);
  const tb = truncate(b, max);
  return { value: distance(ta.kept, tb.kept), bound: bound(ta.dropped) + bound(tb.dropped) };
}

function side(id: string, version: number, doc: ResultDocument) {
  return {
    id,
    version,
    title: doc.title ?? null,
    source: doc.source,
    mapper: { lens: doc.mapper.lens, ...mapperSummary(doc.mapper) },
    persistence: {
      complex: doc.persistence.complex,
      modulus: doc.persistence.modulus,
      nPoints: doc.persistence.nPoints,
      bars: doc.persistence.diagrams.map((d) => d.length),
    },
  };
}

export const compare = new Hono<{ Bindings: Env }>();

compare.get('/', limited, async (c) => {
  const a = parseRef(c.req.query('a'), 'a');
  const b = parseRef(c.req.query('b'), 'b');
  const store = new ResultStore(c.env.RESULTS);
  const load = async (ref: Ref) => {
    const version = ref.version ?? (await store.requireMeta(ref.id)).latest;
    return { version, doc: await store.document(ref.id, version) };
  };
  const [da, db] = await Promise.all([load(a), load(b)]);
  // A dimension one side never computed has no diagram to compare, not an empty one: comparing it would report
  // the other side's whole diagram as a distance.
  const [na, nb] = [da.doc.persistence.diagrams.length, db.doc.persistence.diagrams.length];
  const dims = Math.min(na, nb);
  const notes: string[] = [];
  for (let dim = dims; dim < Math.max(na, nb); dim++) {
    notes.push(`H${dim} was computed only for ${na > nb ? 'A' : 'B'}; it is not compared`);
  }
  const distances = [];
  for (let dim = 0; dim < dims; dim++) {
    distances.push(
      compareDimension(
        dim,
        toDiagram(da.doc.persistence.diagrams[dim] ?? []),
        toDiagram(db.doc.persistence.diagrams[dim] ?? []),
      ),
    );
  }
  const modulusDiffers = da.doc.persistence.modulus !== db.doc.persistence.modulus;
  // Pinned versions never change, so neither does their comparison.
  c.header('Cache-Control', a.version && b.version ? 'public, max-age=31536000, immutable' : 'no-cache');
  return c.json({
    a: side(a.id, da.version, da.doc),
    b: side(b.id, db.version, db.doc),
    distances,
    notes: [...notes, ...(modulusDiffers ? ['the two diagrams were computed over different coefficient fields'] : [])],
  });
});
compare.all('/', methodNotAllowed('GET, HEAD'));
