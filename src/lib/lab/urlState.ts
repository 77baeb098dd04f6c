// The lab's view in its address: analysis parameters, layer and training step, so a view can be bookmarked or
// sent, and a reload keeps the parameters. Only values that differ from the defaults are written, and a value
// that is out of bounds or unknown is ignored (the default stays), never an error.
import { limitProblem, type LimitedParam } from '../analysis/limits';
import { LENSES, defaultAnalysisParams, type AnalysisParams } from './settings';

export interface LabView {
  params: AnalysisParams;
  layer?: number;
  step?: number;
}

/** Address keys: short, readable, and distinct from the lab's other query parameters (backend). */
const NUMERIC: Array<[keyof AnalysisParams & LimitedParam, string]> = [
  ['k', 'k'],
  ['p', 'p'],
  ['resolution', 'resolution'],
  ['gain', 'gain'],
  ['maxDim', 'dim'],
  ['modulus', 'modulus'],
];
const STATE_KEYS = ['k', 'p', 'lens', 'cover', 'resolution', 'gain', 'dim', 'modulus', 'layer', 'step'];

export function readLabView(search: URLSearchParams): LabView {
  const params = defaultAnalysisParams();
  for (const [field, key] of NUMERIC) {
    const raw = search.get(key);
    if (raw !== null && limitProblem(field, raw) === null) params[field] = Number(raw);
  }
  const lens = search.get('lens');
  const known = LENSES.find((l) => l.value === lens);
  if (known) params.lens = known.value;
  const cover = search.get('cover');
  if (cover === 'auto' || cover === 'fixed') params.cover = cover;
  const whole = (key: string, min: number) => {
    const raw = search.get(key);
    const n = raw === null || raw.trim() === '' ? NaN : Number(raw);
    return Number.isInteger(n) && n >= min ? n : undefined;
  };
  return { params, layer: whole('layer', 1), step: whole('step', 0) };
}

/** `search` with the view written over the lab's state keys; other keys (e.g. backend) are kept. */
export function writeLabView(view: LabView, search: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(search);
  for (const key of STATE_KEYS) out.delete(key);
  const d = defaultAnalysisParams();
  const p = view.params;
  for (const [field, key] of NUMERIC) if (p[field] !== d[field]) out.set(key, String(p[field]));
  if (p.lens !== d.lens) out.set('lens', p.lens);
  if (p.cover !== d.cover) out.set('cover', p.cover);
  if (view.layer !== undefined) out.set('layer', String(view.layer));
  if (view.step !== undefined) out.set('step', String(view.step));
  return out;
}
