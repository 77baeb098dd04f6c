// The lab's settings as the form edits them. Validation happens once, when a run starts, so a half-typed value
// never throws while the person is still typing.
import { parseSchedule } from './eta';

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
  lens: 'pca' | 'codensity' | 'angle' | 'circular';
  resolution: number;
  gain: number;
  maxDim: number;
  modulus: number;
}

export const LENSES: Array<{ value: AnalysisParams['lens']; label: string }> = [
  { value: 'pca', label: 'first two PCs' },
  { value: 'codensity', label: 'codensity' },
  { value: 'angle', label: 'primary-circle angle' },
  { value: 'circular', label: 'circular coordinate (H1)' },
];

export function defaultRunSettings(): RunSettings {
  return { architecture: 'mnist-paper', runs: 2, steps: 200, batchSize: 64, schedule: 'every 50' };
}

export function defaultAnalysisParams(): AnalysisParams {
  return { k: 50, p: 30, lens: 'pca', resolution: 30, gain: 3, maxDim: 1, modulus: 2 };
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

export function validateAnalysisParams(p: AnalysisParams): AnalysisParams {
  return {
    k: whole('k', p.k, 1, 1000),
    p: (() => {
      const v = Number(p.p);
      if (!(v > 0 && v <= 100)) throw new Error('p must be a percentage in (0, 100]');
      return v;
    })(),
    lens: p.lens,
    resolution: whole('Resolution', p.resolution, 1, 1000),
    gain: (() => {
      const v = Number(p.gain);
      if (!(v >= 1 && v <= 100)) throw new Error('Gain must be in 1..100');
      return v;
    })(),
    maxDim: whole('Dimension', p.maxDim, 0, 2),
    modulus: whole('Modulus', p.modulus, 2, 255),
  };
}

export type SourceKind = 'mnist' | 'cifar' | 'images' | 'model' | 'result' | 'session';

/** The backend asked for in the address (`?backend=cpu`), if any. */
export function wantedBackend(href: string = location.href): string | null {
  return new URL(href).searchParams.get('backend');
}
