// The analysis options: their defaults, their bounds and their check, shared by the CLI, the lab and the worker.
import { limitProblem, type LimitedParam } from './limits';
import type { Auto } from './mapperGraph';

export interface AnalysisOptions {
  k?: number;
  p?: number;
  /** 'pca' (= PC1-2) | 'pca:i,j' (1-based) | 'codensity' | 'angle' | 'circular' | 'ball' (Ball Mapper) */
  lens?: string;
  /** 'auto': chosen from the data with the clustering scale (Carriere-Michel-Oudot); a number keeps it fixed. */
  resolution?: Auto;
  gain?: Auto;
  /** Ball Mapper's radius. */
  epsilon?: Auto;
  /** Resamples for the bootstrap of the graph's loops; 0 skips it. */
  bootstrap?: number;
  /** Resamples for the confidence of the barcode's verdict (see confidence.ts); 0 skips it. */
  resamples?: number;
  maxDim?: number;
  modulus?: number;
  /** Cores larger than this go to the witness complex. */
  ripsMaxPoints?: number;
  landmarks?: number;
  /** Near-zero cut, relative to the 90th percentile of the centred filter norms. */
  normThreshold?: number;
  seed?: number;
  title?: string;
}

/** Every option filled in: what the stages of the pipeline read. */
export type ResolvedOptions = Required<Omit<AnalysisOptions, 'title'>>;

/** More resamples than this narrow a 90% interval by little and cost linearly. */
export const MAX_RESAMPLES = 1000;

/**
 * One set of defaults for the CLI and the lab. k=50: the lab's trainings give a few hundred to a few thousand
 * filters, and the paper's sanity check pools about 1,900; k must stay a small share of n for rho_k to be a local
 * density (k=200 on 1,900 filters averages over a tenth of them and blurs the over-represented orientations), and
 * on 100k filters k=50 is still a smooth estimate. Mapper's cover and scale are chosen from the data.
 */
export const DEFAULT_OPTIONS: ResolvedOptions = {
  k: 50,
  p: 30,
  lens: 'pca',
  resolution: 'auto',
  gain: 'auto',
  epsilon: 'auto',
  bootstrap: 0,
  resamples: 0,
  maxDim: 1,
  modulus: 2,
  // Rips on 1920 core points (6,400 filters at p=30) took minutes with the current engine; 1000 takes seconds.
  ripsMaxPoints: 1000,
  landmarks: 500,
  normThreshold: 0.01,
  seed: 1,
};

/** Bad options or unusable input: the message is meant for the person who chose them. */
export class AnalysisError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AnalysisError';
  }
}

export function checkOptions(o: ResolvedOptions): void {
  const int = (name: keyof typeof o, min: number, max: number) => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new AnalysisError(`${name} must be an integer in ${min}..${max}, got ${v}`, name);
  };
  // The parameters a person picks share their bounds with the lab's form and the CLI (see limits.ts).
  const limited = (name: LimitedParam) => {
    const problem = limitProblem(name, o[name]);
    if (problem) throw new AnalysisError(`${name} ${problem}`, name);
  };
  limited('k');
  if (o.resolution !== 'auto') limited('resolution');
  int('bootstrap', 0, 1000);
  int('resamples', 0, MAX_RESAMPLES);
  limited('maxDim');
  limited('modulus');
  int('ripsMaxPoints', 1, 20_000);
  int('landmarks', 2, 5000);
  int('seed', -(2 ** 31), 2 ** 31 - 1);
  limited('p');
  if (o.gain !== 'auto') limited('gain');
  if (o.resolution === 'auto' && o.gain === 1)
    throw new AnalysisError('gain 1 with an automatic resolution: the intervals must overlap (gain above 1)', 'gain');
  if (o.epsilon !== 'auto' && !(o.epsilon > 0 && Number.isFinite(o.epsilon)))
    throw new AnalysisError(`epsilon must be 'auto' or a positive number, got ${o.epsilon}`, 'epsilon');
  if (!(o.normThreshold >= 0 && o.normThreshold < 1))
    throw new AnalysisError(`normThreshold must be in [0, 1), got ${o.normThreshold}`, 'normThreshold');
  let prime = o.modulus >= 2;
  for (let q = 2; q * q <= o.modulus; q++) if (o.modulus % q === 0) prime = false;
  if (!prime) throw new AnalysisError(`modulus must be a prime, got ${o.modulus}`, 'modulus');
}

/** The options with the defaults filled in, checked; an AnalysisError names the first bad one. */
export function resolveOptions(options: AnalysisOptions): ResolvedOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...DEFAULT_OPTIONS, ...given } as ResolvedOptions;
  checkOptions(o);
  return o;
}
