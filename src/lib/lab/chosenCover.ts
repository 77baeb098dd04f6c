import type { ResultDocument } from '$lib/result/schema';

/** What the lab's resolution and gain fields show while the automatic cover decides them. */
export interface CoverShown {
  resolution: string;
  gain: string;
}

const WAITING: CoverShown = { resolution: 'from the data', gain: 'from the data' };

/**
 * The cover the automatic choice made for the analysis on screen ("7 × 7", gain "2.5"), so the form shows the
 * values the graph was drawn with instead of editable numbers the analysis ignores. Before any analysis, or when
 * the one on screen was made with a fixed cover (a parameter change still recomputing), the fields say the values
 * will come from the data.
 */
export function chosenCover(doc: ResultDocument | null | undefined): CoverShown {
  const mapper = doc?.mapper;
  if (!mapper || mapper.chosen !== 'auto') return WAITING;
  if (mapper.lens === 'ball') return { resolution: 'none (Ball Mapper)', gain: 'none' };
  const axes = mapper.resolutions && mapper.resolutions.length > 0 ? mapper.resolutions : [mapper.resolution];
  return { resolution: axes.join(' × '), gain: String(Math.round(mapper.gain * 100) / 100) };
}
