// The pattern atlas as it goes into a result document: the tda module's classes, rounded, with the tolerances
// that define them, so that a document says what its shares mean.
import type { PatternAtlasDoc } from '../result/schema';
import type { KleinFit } from '../tda/patchModels';
import {
  CENTRE_ANGLE,
  EDGE_LINE_ANGLE,
  KLEIN_ANGLE,
  SHARE_KEYS,
  patternAtlas,
  type PatternClassSummary,
  type PatternShareKey,
} from '../tda/patternAtlas';

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const degrees = (radians: number) => round((radians * 180) / Math.PI);

/** The atlas of the core (n x 8 unit DCT coordinates), reusing the pipeline's Klein-bottle fit of the same points. */
export function patternAtlasStage(coords: Float64Array, n: number, klein: KleinFit): PatternAtlasDoc {
  const atlas = patternAtlas(coords, n, klein);
  const summary = (c: PatternClassSummary) => ({
    count: c.count,
    share: round(c.share),
    meanFilter: Array.from(c.meanFilter, round),
  });
  return {
    tolerances: { klein: degrees(KLEIN_ANGLE), edgeLine: degrees(EDGE_LINE_ANGLE), centre: degrees(CENTRE_ANGLE) },
    classes: Object.fromEntries(SHARE_KEYS.map((k) => [k, summary(atlas.classes[k])])) as Record<
      PatternShareKey,
      ReturnType<typeof summary>
    >,
    labels: Array.from(atlas.labels),
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** One line for a person: the shares of the core, the Klein bottle split into its three classes. */
export function patternAtlasLine(atlas: PatternAtlasDoc): string {
  const c = atlas.classes;
  return (
    `patterns of the core: Klein bottle ${percent(c.klein.share)} (edge ${percent(c.edge.share)}, ` +
    `line ${percent(c.line.share)}, other ${percent(c.other.share)}), centre ${percent(c.centre.share)}, ` +
    `off ${percent(c.off.share)}`
  );
}
