// `npm run bench -- compare`: the CPU time of GET /api/compare on the largest documents the schema accepts
// (4 homology dimensions x 100,000 bars per side, about 6 MB of JSON each), on three kinds of diagrams: random
// bars, bars on a coarse grid (many ties), and identical bars. It times what the route computes after reading
// the two stored texts from R2: JSON.parse of both, the Mapper summaries, and the capped distances of every
// dimension. The reference is the budget of 2 s of CPU per compare, printed as measured/budget.
import { importBundle } from './support/bundle.js';
import { rng } from './support/seeded.js';

const lib = await importBundle(`export { compareDiagrams, DEFAULT_CAPS } from './src/lib/tda/diagramComparison';
export { mapperSummary } from './src/lib/result/summary';
export { validateResult } from './src/lib/result/validate';
export { minimalDocument } from './tests/support/fixtures';`);

const BUDGET_MS = 2000;
const BARS = 100_000;

/** Bars rounded to 4 decimals, so that a document of 400,000 bars stays under the API's 8 MB. */
const round = (/** @type {number} */ x) => Math.round(x * 10_000) / 10_000;

/** @type {Record<string, (seed: number) => number[][][]>} */
const kinds = {
  random: (seed) => {
    const r = rng(seed);
    return Array.from({ length: 4 }, () =>
      Array.from({ length: BARS }, () => {
        const b = round(r());
        return [b, round(b + r() * r())];
      }),
    );
  },
  grid: (seed) =>
    Array.from({ length: 4 }, (_, dim) =>
      Array.from({ length: BARS }, (_, i) => {
        const b = ((i * 7919 + seed * 104729 + dim) % 10_000) / 10_000;
        return [b, round(b + ((i * 31 + seed) % 997) / 1000)];
      }),
    ),
  identical: () => Array.from({ length: 4 }, () => Array.from({ length: BARS }, () => [0, 1])),
};

/** @param {number[][][]} diagrams */
function documentText(diagrams) {
  const doc = structuredClone(lib.minimalDocument);
  doc.persistence.diagrams = diagrams;
  const v = lib.validateResult(doc);
  if (!v.ok) throw new Error(`bench document is invalid: ${v.field}: ${v.message}`);
  return JSON.stringify(doc);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** What the route does with the two stored texts. */
function compareTexts(/** @type {string} */ ta, /** @type {string} */ tb) {
  const a = JSON.parse(ta);
  const b = JSON.parse(tb);
  lib.mapperSummary(a.mapper);
  lib.mapperSummary(b.mapper);
  const toDiagram = (/** @type {Array<[number, number|null]>} */ bars) => bars.map(([x, y]) => [x, y ?? Infinity]);
  const out = [];
  for (let dim = 0; dim < 4; dim++) {
    out.push(lib.compareDiagrams(toDiagram(a.persistence.diagrams[dim]), toDiagram(b.persistence.diagrams[dim])));
  }
  return out;
}

console.log(`caps: ${JSON.stringify(lib.DEFAULT_CAPS)}; budget ${BUDGET_MS} ms of CPU per compare`);
console.log('kind       | MB per doc | CPU ms (best of 3) | CPU/budget | compared (dim 0)           | W1 error bound');
let worst = 0;
for (const [name, make] of Object.entries(kinds)) {
  const ta = documentText(make(1));
  const tb = documentText(make(2));
  let best = Infinity;
  /** @type {any[]} */
  let result = [];
  for (let i = 0; i < 3; i++) {
    const t = cpuMs();
    result = compareTexts(ta, tb);
    best = Math.min(best, cpuMs() - t);
  }
  worst = Math.max(worst, best);
  console.log(
    `${name.padEnd(10)} | ${(ta.length / 1e6).toFixed(1).padStart(10)} | ${best.toFixed(0).padStart(18)} | ` +
      `${(best / BUDGET_MS).toFixed(2).padStart(10)} | ${JSON.stringify(result[0].compared).padEnd(26)} | ` +
      `${result[0].errorBound.wasserstein.toPrecision(3)}`,
  );
}
console.log(`worst CPU/budget: ${(worst / BUDGET_MS).toFixed(2)}`);
