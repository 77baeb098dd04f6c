// The lens of the Mapper graph, as a person names it ('pca', 'pca:1,3', 'angle', ...).
import { AnalysisError } from './options';
import { DIM } from './precision';

export type Lens =
  | { kind: 'pca'; axes: [number, number] }
  | { kind: 'codensity' }
  | { kind: 'angle' }
  | { kind: 'circular' }
  | { kind: 'ball' };

export function parseLens(text: string): Lens {
  if (text === 'pca') return { kind: 'pca', axes: [0, 1] };
  if (text === 'codensity' || text === 'angle' || text === 'circular' || text === 'ball') return { kind: text };
  const m = /^pca:(\d),(\d)$/.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a >= 1 && a <= DIM && b >= 1 && b <= DIM && a !== b) return { kind: 'pca', axes: [a - 1, b - 1] };
  }
  throw new AnalysisError(
    `lens '${text}' is not one of pca, pca:i,j (two different axes 1..8), codensity, angle, circular, ball`,
    'lens',
  );
}
