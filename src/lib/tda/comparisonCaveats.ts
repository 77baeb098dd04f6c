/**
 * What a reader of a diagram comparison must be told before trusting its numbers. A distance whose error bound is
 * as large as the distance itself says nothing about how far apart the diagrams are; and a Vietoris-Rips diagram
 * against a witness diagram (built on landmarks, whose bars are born and die later) differs by the construction as
 * well as by the data.
 */

export interface ComparedComplex {
  complex: 'rips' | 'witness';
  nPoints: number;
  landmarks?: number;
}

export interface BoundedDistances {
  dim: number;
  bottleneck: number | null;
  wasserstein: number | null;
  wasserstein2: number | null;
  errorBound: { bottleneck: number; wasserstein: number; wasserstein2: number };
}

const NAMES = { bottleneck: 'bottleneck', wasserstein: 'W1', wasserstein2: 'W2' } as const;

/** True when the bound is at least the value it bounds: the true distance could be anywhere from 0 to twice it. */
export function boundSwampsValue(value: number | null, bound: number): boolean {
  return value !== null && bound > 0 && bound >= value;
}

const describe = (s: ComparedComplex) =>
  s.complex === 'witness'
    ? `a witness complex${s.landmarks ? ` on ${s.landmarks} landmarks` : ''} of ${s.nPoints} points`
    : `Vietoris-Rips on ${s.nPoints} points`;

/** One sentence when A and B were computed with different complexes, otherwise none. */
export function complexCaveat(a: ComparedComplex, b: ComparedComplex): string | null {
  if (a.complex === b.complex) return null;
  return (
    `A is ${describe(a)}, B is ${describe(b)}: witness bars are born and die later than Rips bars of the same ` +
    `data, so part of these distances comes from the construction, not from the filters`
  );
}

/** One sentence per dimension whose error bounds reach the values they bound. */
export function boundCaveats(distances: BoundedDistances[]): string[] {
  const notes: string[] = [];
  for (const d of distances) {
    const swamped = (Object.keys(NAMES) as Array<keyof typeof NAMES>).filter((k) =>
      boundSwampsValue(d[k], d.errorBound[k]),
    );
    if (swamped.length === 0) continue;
    const list = swamped.map((k) => `${NAMES[k]} ${d[k]!.toPrecision(3)} ± ${d.errorBound[k].toPrecision(3)}`);
    notes.push(
      `H${d.dim}: the error bound is as large as the distance (${list.join(', ')}): only the most persistent ` +
        `points were compared, and these numbers do not say how far apart the diagrams are`,
    );
  }
  return notes;
}
