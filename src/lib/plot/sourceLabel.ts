import type { SourceSummary } from '../result/summary';

/** "training · mnist · mnist-paper · layer 1 · step 500 · 30 runs": what was analysed, in one line. */
export function sourceLabel(src: SourceSummary, withKind = true): string {
  return [
    withKind ? src.kind : undefined,
    src.dataset,
    src.architecture,
    src.layerName ?? (src.layer !== undefined ? `layer ${src.layer}` : undefined),
    src.step !== undefined ? `step ${src.step}` : undefined,
    src.runs !== undefined ? `${src.runs} run${src.runs === 1 ? '' : 's'}` : undefined,
  ]
    .filter((part) => part !== undefined && part !== '')
    .join(' · ');
}
