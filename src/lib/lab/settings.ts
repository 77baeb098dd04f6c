// The lab's settings as the form edits them. Validation happens once, when a run starts, so a half-typed value
// never throws while the person is still typing.
import { parseSchedule } from './eta';
import { ANALYSIS_LIMITS, limitProblem, type LimitedParam } from '../analysis/limits';

export interface RunSettings {
  architecture: string;
  runs: number;
  steps: number;
  batchSize: number;
  schedule: string;
}

export interface AnalysisParams {
  k: number;
  p: number;
  lens: 'pca' | 'codensity' | 'angle' | 'circular' | 'ball';
  /** 'auto': the cover and clustering scale come from the data (Carriere-Michel-Oudot); 'fixed': the two fields. */
  cover: 'auto' | 'fixed';
  resolution: number;
  gain: number;
  maxDim: number;
  modulus: number;
  /** Resamples for the bootstrap of the Mapper graph's loops; 0 skips it (the result view's button sets it). */
  bootstrap: number;
}

export const LENSES: Array<{ value: AnalysisParams['lens']; label: string }> = [
  { value: 'pca', label: 'first two PCs' },
  { value: 'codensity', label: 'codensity' },
  { value: 'angle', label: 'primary-circle angle' },
  { value: 'circular', label: 'circular coordinate (H1)' },
  { value: 'ball', label: 'none (Ball Mapper)' },
];

export function defaultRunSettings(): RunSettings {
  return { architecture: 'mnist-paper', runs: 2, steps: 200, batchSize: 64, schedule: 'every 50' };
}

/**
 * "Reproduce the paper": 30 trainings of mnist-paper to step 800 with snapshots at 100, 200, 400 and 800, as
 * `kleinscope reproduce mnist` (PyTorch's default initialisation, batch 64, Adam 1e-3), analysed as X(50,30).
 */
export function paperRunSettings(): RunSettings {
  return { architecture: 'mnist-paper', runs: 30, steps: 800, batchSize: 64, schedule: '100, 200, 400, 800' };
}

export function defaultAnalysisParams(): AnalysisParams {
  return { k: 50, p: 30, lens: 'pca', cover: 'auto', resolution: 10, gain: 3, maxDim: 1, modulus: 2, bootstrap: 0 };
}

export interface ValidRunSettings extends Omit<RunSettings, 'schedule'> {
  snapshotSteps: number[];
}

function whole(name: string, v: unknown, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number in ${min}..${max}`);
  return n;
}

export function validateRunSettings(s: RunSettings): ValidRunSettings {
  const steps = whole('Steps per run', s.steps, 1, 100_000);
  return {
    architecture: s.architecture,
    runs: whole('Runs', s.runs, 1, 100),
    steps,
    batchSize: whole('Batch size', s.batchSize, 1, 1024),
    snapshotSteps: parseSchedule(s.schedule, steps),
  };
}

/** Checks the form against the same bounds as its fields and the pipeline (src/lib/analysis/limits.ts). */
export function validateAnalysisParams(p: AnalysisParams): AnalysisParams {
  const checked = (name: LimitedParam, label: string, value: unknown): number => {
    const problem = limitProblem(name, value);
    if (problem) {
      const { min, max } = ANALYSIS_LIMITS[name];
      throw new Error(`${label}: ${problem} (allowed: ${min} to ${max})`);
    }
    return Number(value);
  };
  return {
    k: checked('k', 'k', p.k),
    p: checked('p', 'p', p.p),
    lens: p.lens,
    cover: p.cover === 'fixed' ? 'fixed' : 'auto',
    resolution: checked('resolution', 'Resolution', p.resolution),
    gain: checked('gain', 'Gain', p.gain),
    maxDim: checked('maxDim', 'Dimension', p.maxDim),
    modulus: checked('modulus', 'Modulus', p.modulus),
    bootstrap: whole('Bootstrap resamples', p.bootstrap ?? 0, 0, 1000),
  };
}

export type SourceKind = 'paper' | 'mnist' | 'cifar' | 'images' | 'model' | 'result' | 'session';

/** Sources that train networks in the lab ('paper' is MNIST with the paper's settings). */
export const isTrainingSource = (s: SourceKind) => s === 'paper' || s === 'mnist' || s === 'cifar';

/** The backend asked for in the address (`?backend=cpu`), if any. */
export function wantedBackend(href: string = location.href): string | null {
  return new URL(href).searchParams.get('backend');
}
