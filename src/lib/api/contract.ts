/**
 * The HTTP API's bodies, declared once: the routes in functions/routes/ build them (`satisfies`), and the client
 * (client.ts, used by the pages and the CLI) reads them. A field added here is checked on both sides.
 */
import type { ResultDocument } from '../result/schema';
import type { MapperSummary, VersionEntry } from '../result/summary';

/** Every refusal: a machine-readable code and one human sentence. */
export interface ErrorBody {
  error: string;
  detail: string;
}

/** POST /api/results: a new result, with the owner token that is shown only now. */
export interface Published {
  id: string;
  version: number;
  url: string;
  token: string;
}

/** POST /api/results/:id/versions (with the owner token): the new version's number and page. */
export interface VersionPublished {
  id: string;
  version: number;
  url: string;
}

/** DELETE /api/results/:id (with the owner token). */
export interface Withdrawn {
  id: string;
  withdrawn: true;
  withdrawnAt: string | null;
}

/** GET /api/results/:id/versions */
export interface VersionList {
  id: string;
  latest: number;
  createdAt: string;
  updatedAt: string;
  /** Withdrawn results stay readable at their links but leave the gallery. */
  withdrawn: boolean;
  withdrawnAt: string | null;
  versions: VersionEntry[];
}

/** One side of a comparison, in the API's `ID` or `ID@N` form. */
export type ResultRef = string;

/** One side of a comparison: what the server says about each result without sending it whole. */
export interface CompareSide {
  id: string;
  version: number;
  withdrawn: boolean;
  withdrawnAt: string | null;
  title: string | null;
  source: ResultDocument['source'];
  mapper: MapperSummary & { lens: string };
  persistence: { complex: string; modulus: number; nPoints: number; bars: number[] };
}

/** Distances are null when infinite (the diagrams have different numbers of essential classes). */
export interface DimensionDistance {
  dim: number;
  points: [number, number];
  bottleneck: number | null;
  wasserstein: number | null;
  wasserstein2: number | null;
  exact: boolean;
  /** The true distance lies within value +- bound; 0 when exact. */
  errorBound: { bottleneck: number; wasserstein: number; wasserstein2: number };
  /** Finite points of each side that each distance compared (at most the caps of diagramComparison.ts). */
  compared: { bottleneck: [number, number]; wasserstein: [number, number] };
}

/** GET /api/compare?a=ID[@N]&b=ID[@N] */
export interface CompareResponse {
  a: CompareSide;
  b: CompareSide;
  distances: DimensionDistance[];
  notes: string[];
}
