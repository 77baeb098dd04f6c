// Persistence diagrams in the formats other TDA tools read, so a result's barcodes can be checked or reused
// without Kleinscope: a plain CSV, GUDHI's persistence-intervals text, ripser.py's `dgms` and Ripser's own output.
// Numbers are written with JavaScript's shortest round-trip form, so nothing is lost on the way.
import type { Bar } from '../result/schema';
import { formatBarcodes } from '../tda/ripserFormats';

type Diagrams = readonly (readonly Bar[])[];

/** `dimension,birth,death`, one bar a line; an infinite bar's death is `inf` (pandas and numpy read it). */
export function diagramsToCsv(diagrams: Diagrams): string {
  const lines = ['dimension,birth,death'];
  diagrams.forEach((bars, dim) => {
    for (const [b, d] of bars) lines.push(`${dim},${b},${d === null ? 'inf' : d}`);
  });
  return lines.join('\n') + '\n';
}

/**
 * GUDHI's persistence-intervals file: `dimension birth death` a line, `inf` for an essential class. It is what
 * `gudhi.read_persistence_intervals_in_dimension(persistence_file=..., only_this_dim=1)` and
 * `gudhi.read_persistence_intervals_grouped_by_dimension` read, and what `SimplexTree.write_persistence_diagram`
 * writes (less its leading field characteristic, which the reader also accepts: it is given here as `modulus`).
 */
export function diagramsToGudhi(diagrams: Diagrams, modulus: number): string {
  const lines: string[] = [];
  diagrams.forEach((bars, dim) => {
    for (const [b, d] of bars) lines.push(`${modulus} ${dim} ${b} ${d === null ? 'inf' : d}`);
  });
  return lines.join('\n') + '\n';
}

/**
 * ripser.py's result as JSON: `dgms[k]` is the H_k diagram as [birth, death] rows, an infinite death written as
 * null (JSON has no infinity). In Python:
 * `dgms = [np.array([[b, np.inf if d is None else d] for b, d in D]).reshape(-1, 2) for D in json.load(f)["dgms"]]`,
 * which is `ripser(X)["dgms"]` and what persim's plot_diagrams and bottleneck take.
 */
export function diagramsToRipserPy(diagrams: Diagrams, meta: { modulus: number; threshold: number | null }): string {
  return (
    JSON.stringify({
      dgms: diagrams.map((bars) => bars.map(([b, d]) => [b, d])),
      coeff: meta.modulus,
      thresh: meta.threshold,
    }) + '\n'
  );
}

/** The text Ripser (the C++ program) prints, as `kleinscope ph` does: ' [b,d)' or ' [b, )' under each dimension. */
export function diagramsToRipserText(diagrams: Diagrams): string {
  return formatBarcodes(
    diagrams.map((bars) => bars.map(([b, d]) => [b, d === null ? Infinity : d] as [number, number])),
  );
}
