/** The fields of a result's source that a one-line label shows. */
export interface SourceLike {
  kind?: string;
  dataset: string;
  architecture?: string;
  layer?: number;
  layerName?: string;
  step?: number;
  runs?: number;
}

/** "training · mnist · mnist-paper · layer 1 · step 500 · 30 runs": what was analysed, in one line. */
export function sourceLabel(src: SourceLike, withKind = true): string {
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
