import { greyOf, maxAbs } from './colour';

/**
 * The nine cell colours of a 3x3 filter, row-major. Each glyph uses its own symmetric scale: a node's
 * mean filter is shorter than a unit filter (its members disagree), and the shape is what the eye should read.
 */
export function glyphColours(filter: readonly number[], scale: number = maxAbs(filter)): string[] {
  return Array.from({ length: 9 }, (_, i) => greyOf(filter[i] ?? 0, scale));
}
