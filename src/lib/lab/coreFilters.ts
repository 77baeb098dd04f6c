/**
 * The core's filters as they were analysed (9 numbers each, in core order), picked from the subject's input
 * filters by the document's `preprocessing.coreInput`; undefined when the document does not say which input each
 * core point is, or the input does not have them. The graph then draws a node's real members, not model patches.
 */
export function coreFilters(
  input: ArrayLike<number>,
  coreInput: readonly number[] | undefined,
): Float64Array | undefined {
  if (!coreInput) return undefined;
  const n = Math.floor(input.length / 9);
  const out = new Float64Array(coreInput.length * 9);
  for (let m = 0; m < coreInput.length; m++) {
    const i = coreInput[m];
    if (!(i >= 0 && i < n)) return undefined;
    for (let k = 0; k < 9; k++) out[9 * m + k] = input[9 * i + k];
  }
  return out;
}
