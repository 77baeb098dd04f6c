import { Hono } from 'hono';
import type { CompareResponse, CompareSide, DimensionDistance } from '../../src/lib/api/contract';
import type { ResultDocument } from '../../src/lib/result/schema';
import { isProfile } from '../../src/lib/result/validate';
import { mapperSummary } from '../../src/lib/result/summary';
import { compareDiagrams } from '../../src/lib/tda/diagramComparison';
import { boundCaveats, complexCaveat } from '../../src/lib/tda/comparisonCaveats';
import type { Diagram } from '../../src/lib/tda/diagramDistance';
import type { Env } from '../env';
import { ApiError, checkId, parseVersion, pinnedCache } from '../lib/http';
import { methodNotAllowed } from '../middleware/methods';
import { parseLimit, rateLimit } from '../middleware/rateLimit';
import { storeFor } from '../storage/results';

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

function compareDimension(dim: number, a: Diagram, b: Diagram): DimensionDistance {
  const c = compareDiagrams(a, b);
  const exact = c.errorBound.bottleneck === 0 && c.errorBound.wasserstein === 0 && c.errorBound.wasserstein2 === 0;
  return {
    dim,
    points: [a.length, b.length],
    bottleneck: finiteOrNull(c.bottleneck),
    wasserstein: finiteOrNull(c.wasserstein),
    wasserstein2: finiteOrNull(c.wasserstein2),
    exact,
    /** The true distance lies within value +- bound (0 when exact). */
    errorBound: c.errorBound,
    /** Finite points of each side that each distance compared (at most the caps of diagramComparison.ts). */
    compared: c.compared,
  };
}

function side(id: string, version: number, withdrawnAt: string | null, doc: ResultDocument): CompareSide {
  return {
    id,
    version,
    withdrawn: withdrawnAt !== null,
    withdrawnAt,
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
  const store = storeFor(c.env);
  const load = async (ref: Ref) => {
    const meta = await store.requireMeta(ref.id);
    const version = ref.version ?? meta.latest;
    return { version, withdrawnAt: meta.withdrawnAt, doc: await store.document(ref.id, version) };
  };
  const [da, db] = await Promise.all([load(a), load(b)]);
  // Profiles compare layer by layer in the page (each layer's numbers are in the documents); this route compares
  // two layers' diagrams.
  if (isProfile(da.doc) || isProfile(db.doc))
    throw new ApiError(422, 'not_comparable', 'a profile has no diagram of its own: compare two profiles at /compare');
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
  c.header(
    'Cache-Control',
    a.version && b.version ? pinnedCache(da.withdrawnAt !== null && db.withdrawnAt !== null) : 'no-cache',
  );
  const body: CompareResponse = {
    a: side(a.id, da.version, da.withdrawnAt, da.doc),
    b: side(b.id, db.version, db.withdrawnAt, db.doc),
    distances,
    notes: [
      ...notes,
      ...(modulusDiffers ? ['the two diagrams were computed over different coefficient fields'] : []),
      ...[complexCaveat(da.doc.persistence, db.doc.persistence)].filter((n) => n !== null),
      ...boundCaveats(distances),
    ],
  };
  return c.json(body);
});
compare.all('/', methodNotAllowed('GET, HEAD'));
