// Two profiles side by side, layer by layer (two networks, or two versions of one): the layers are paired by
// name where both networks have it, else by their position among the 3x3 layers, and each pair's pattern shares
// and H1 dominance are set against each other. Plain data in and out.
import type { ProfileDocument } from '../result/profileSchema';
import { PATTERN_SHARE_KEYS, type PatternShares } from './layerProfile';
import { profileRows } from './profileDocument';

export interface LayerPair {
  /** Position among the 3x3 layers (0-based) on each side; null where that side has no such layer. */
  a: { layer: number; name: string; patterns: PatternShares | null; dominance: number | null } | null;
  b: { layer: number; name: string; patterns: PatternShares | null; dominance: number | null } | null;
  /** B's share minus A's per class, where both sides have an atlas. */
  difference: PatternShares | null;
}

export interface ProfileComparison {
  pairedBy: 'name' | 'position';
  pairs: LayerPair[];
  /** Mean |B - A| of each class's share over the pairs that both have; null when none do. */
  meanAbsoluteDifference: PatternShares | null;
}

function side(doc: ProfileDocument) {
  return profileRows(doc).map((r) => ({
    layer: r.layer,
    name: r.name,
    patterns: r.measures?.patterns ?? null,
    dominance: r.measures?.dominance ?? null,
  }));
}

export function compareProfiles(a: ProfileDocument, b: ProfileDocument): ProfileComparison {
  const sa = side(a);
  const sb = side(b);
  const namesA = new Set(sa.map((l) => l.name));
  const shared = sb.filter((l) => namesA.has(l.name)).length;
  // Pair by name when most layers share one (versions of one network); else by position (two networks).
  const byName = shared >= Math.max(1, Math.min(sa.length, sb.length) / 2);
  const pairs: LayerPair[] = [];
  if (byName) {
    const bByName = new Map(sb.map((l) => [l.name, l]));
    const used = new Set<string>();
    for (const l of sa) {
      const other = bByName.get(l.name) ?? null;
      if (other) used.add(l.name);
      pairs.push({ a: l, b: other, difference: null });
    }
    for (const l of sb) if (!used.has(l.name)) pairs.push({ a: null, b: l, difference: null });
  } else
    for (let i = 0; i < Math.max(sa.length, sb.length); i++)
      pairs.push({ a: sa[i] ?? null, b: sb[i] ?? null, difference: null });
  const sums = Object.fromEntries(PATTERN_SHARE_KEYS.map((k) => [k, 0])) as PatternShares;
  let both = 0;
  for (const p of pairs) {
    const pa = p.a?.patterns;
    const pb = p.b?.patterns;
    if (!pa || !pb) continue;
    both++;
    p.difference = Object.fromEntries(PATTERN_SHARE_KEYS.map((k) => [k, pb[k] - pa[k]])) as PatternShares;
    for (const k of PATTERN_SHARE_KEYS) sums[k] += Math.abs(pb[k] - pa[k]);
  }
  return {
    pairedBy: byName ? 'name' : 'position',
    pairs,
    meanAbsoluteDifference: both
      ? (Object.fromEntries(PATTERN_SHARE_KEYS.map((k) => [k, sums[k] / both])) as PatternShares)
      : null,
  };
}
