/**
 * Orders simplices by (diameter, index) with an LSD radix sort on 16-bit digits: a comparison sort with a JS
 * callback is several times slower on the millions of columns a Rips reduction sorts.
 */
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** An unsigned key whose order is the order of the float32 values. */
export function floatKey(x: number): number {
  scratch[0] = x;
  const b = scratchBits[0];
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

/**
 * The permutation that sorts entries by diameter (ascending or descending), breaking ties by index (ascending
 * or descending). Diameters are float32 values; indices are integers below 2^53.
 */
export function sortSimplices(
  diam: Float32Array,
  index: Float64Array,
  count: number,
  diamDescending: boolean,
  indexDescending: boolean,
): Uint32Array {
  let perm = new Uint32Array(count);
  let next = new Uint32Array(count);
  for (let t = 0; t < count; t++) perm[t] = t;
  const digits = new Uint16Array(count);
  const hist = new Uint32Array(65536);
  const diamBits = new Uint32Array(diam.buffer, diam.byteOffset, diam.length);
  const maxHi = highWord(index, count);
  const indexFlip = indexDescending ? 0xffff : 0;
  const diamFlip = diamDescending ? 0xffff : 0;
  // Least significant first: index low word, index high word, then the diameter. Each kind of digit has its own
  // small loop, so that V8 optimizes each once with all its feedback, not one big loop again at every new branch.
  for (let pass = 0; pass < 6; pass++) {
    if ((pass === 2 && maxHi === 0) || (pass === 3 && maxHi < 65536)) continue;
    if (pass < 2) lowIndexDigits(index, count, pass * 16, indexFlip, digits);
    else if (pass < 4) highIndexDigits(index, count, (pass - 2) * 16, indexFlip, digits);
    else diameterDigits(diamBits, count, (pass - 4) * 16, diamFlip, digits);
    if (scatter(digits, count, hist, perm, next)) {
      const swap = perm;
      perm = next;
      next = swap;
    }
  }
  return perm;
}

function highWord(index: Float64Array, count: number): number {
  let maxHi = 0;
  for (let t = 0; t < count; t++) {
    const hi = Math.floor(index[t] / 4294967296);
    if (hi > maxHi) maxHi = hi;
  }
  return maxHi;
}

function lowIndexDigits(index: Float64Array, count: number, shift: number, flip: number, out: Uint16Array): void {
  for (let t = 0; t < count; t++) out[t] = (((index[t] >>> 0) >>> shift) & 0xffff) ^ flip;
}

function highIndexDigits(index: Float64Array, count: number, shift: number, flip: number, out: Uint16Array): void {
  for (let t = 0; t < count; t++) out[t] = ((Math.floor(index[t] / 4294967296) >>> shift) & 0xffff) ^ flip;
}

function diameterDigits(bits: Uint32Array, count: number, shift: number, flip: number, out: Uint16Array): void {
  for (let t = 0; t < count; t++) {
    const b = bits[t];
    const key = (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
    out[t] = ((key >>> shift) & 0xffff) ^ flip;
  }
}

/** One stable counting-sort pass of perm into next by digit; false (and nothing moved) when all digits agree. */
function scatter(digits: Uint16Array, count: number, hist: Uint32Array, perm: Uint32Array, next: Uint32Array): boolean {
  hist.fill(0);
  for (let t = 0; t < count; t++) hist[digits[t]]++;
  if (count === 0 || hist[digits[0]] === count) return false;
  let sum = 0;
  for (let v = 0; v < 65536; v++) {
    const c = hist[v];
    hist[v] = sum;
    sum += c;
  }
  for (let t = 0; t < count; t++) {
    const e = perm[t];
    next[hist[digits[e]]++] = e;
  }
  return true;
}
