/**
 * Ripser's input formats and its text output, so that `kleinscope ph` and `ripser` can be compared line by line.
 * Parsing is strict where Ripser is lenient: a ragged row, a token that is not a number, NaN, a negative
 * distance or an empty input is an error naming the line.
 */
import type { Metric } from './metric';
import { nearestFloat32, toExponentialEven } from './decimalFloat';

export type RipserFormat = 'point-cloud' | 'lower-distance' | 'upper-distance' | 'distance' | 'sparse';
export const RIPSER_FORMATS: readonly RipserFormat[] = [
  'point-cloud',
  'lower-distance',
  'upper-distance',
  'distance',
  'sparse',
];

export class FormatError extends Error {
  constructor(
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

function parseValue(token: string, line: number, what: string): number {
  let v = Number(token);
  // The regex runs only on the rare token that is not a plain number: it is most of the parse time otherwise.
  if (Number.isNaN(v) && /^[+-]?inf(inity)?$/i.test(token)) v = token.startsWith('-') ? -Infinity : Infinity;
  if (Number.isNaN(v) || token === '')
    throw new FormatError(line, `'${token.length > 20 ? token.slice(0, 20) + '...' : token}' is not a number`);
  if (what === 'coordinate' && !Number.isFinite(v)) throw new FormatError(line, `${what} '${token}' is not finite`);
  if (what === 'distance' && v < 0) throw new FormatError(line, `distance ${token} is negative`);
  // Ripser reads every value as a float32; rounding the double instead would differ in its last digit at times.
  const f = nearestFloat32(token, v);
  // A distance beyond float32 is an infinite one (no edge), as 'inf' is; a point cannot be at infinity.
  if (what === 'coordinate' && !Number.isFinite(f))
    throw new FormatError(line, `coordinate '${token}' is beyond the float32 range that distances are computed in`);
  return f;
}

/** Whitespace, ',' and ';' separate values, as in Ripser's readers. */
function isSeparator(c: number): boolean {
  return c <= 32 || c === 44 || c === 59 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

/** Appends the values in text[start, end) to out. */
function tokenize(text: string, start: number, end: number, out: string[]): string[] {
  for (let a = start; a < end;) {
    while (a < end && isSeparator(text.charCodeAt(a))) a++;
    let b = a;
    while (b < end && !isSeparator(text.charCodeAt(b))) b++;
    if (b > a) out.push(text.slice(a, b));
    a = b;
  }
  return out;
}

/**
 * The rows of a file: the tokens of each non-blank line, with its 1-based line number. The tokens array is reused
 * from row to row (a file of a million values would otherwise leave a million short-lived arrays and trimmed
 * lines behind): read it before asking for the next row.
 */
function* rows(text: string): Generator<{ line: number; tokens: string[] }> {
  const tokens: string[] = [];
  const row = { line: 0, tokens };
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    row.line++;
    tokens.length = 0;
    tokenize(text, pos, end, tokens);
    pos = end + 1;
    if (tokens.length > 0) yield row;
  }
}

export function parseRipserInput(text: string, format: RipserFormat): Metric {
  switch (format) {
    case 'point-cloud':
      return parsePointCloud(text);
    case 'lower-distance':
    case 'upper-distance':
      return parseTriangle(text, format === 'upper-distance');
    case 'distance':
      return parseFullMatrix(text);
    case 'sparse':
      return parseSparse(text);
  }
}

function parsePointCloud(text: string): Metric {
  let dim = -1;
  let n = 0;
  let coords = new Float64Array(1024);
  for (const { line, tokens } of rows(text)) {
    if (dim === -1) dim = tokens.length;
    else if (tokens.length !== dim)
      throw new FormatError(line, `row has ${tokens.length} coordinates, the rows above have ${dim}`);
    if ((n + 1) * dim > coords.length) {
      const grown = new Float64Array(Math.max(coords.length * 2, (n + 1) * dim));
      grown.set(coords);
      coords = grown;
    }
    for (let t = 0; t < dim; t++) coords[n * dim + t] = parseValue(tokens[t], line, 'coordinate');
    n++;
  }
  if (n === 0) throw new FormatError(undefined, 'no points: the input is empty');
  return { kind: 'points', n, dim, coords: coords.slice(0, n * dim) };
}

function parseTriangle(text: string, upper: boolean): Metric {
  let values = new Float64Array(1024);
  let count = 0;
  let lastLine = 0;
  for (const { line, tokens } of rows(text)) {
    lastLine = line;
    for (const token of tokens) {
      if (count === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count++] = parseValue(token, line, 'distance');
    }
  }
  if (count === 0) throw new FormatError(undefined, 'no distances: the input is empty');
  const n = Math.round((1 + Math.sqrt(1 + 8 * count)) / 2);
  if ((n * (n - 1)) / 2 !== count)
    throw new FormatError(
      lastLine,
      `${count} distances is not a triangle: n points need n(n-1)/2 (${((n - 1) * (n - 2)) / 2} or ${(n * (n - 1)) / 2})`,
    );
  const dist = values.slice(0, count);
  if (!upper) return { kind: 'lower', n, dist };
  // Upper rows run d(0,1), d(0,2), ..., d(1,2), ...; lower rows run d(1,0), d(2,0), d(2,1), ...
  const lower = new Float64Array(count);
  let u = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) lower[(j * (j - 1)) / 2 + i] = dist[u++];
  return { kind: 'lower', n, dist: lower };
}

/**
 * A full matrix, or its lower triangle with or without the diagonal: as Ripser, row i (counting blank lines)
 * gives d(i, 0..i-1) from its first i entries.
 */
function parseFullMatrix(text: string): Metric {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const n = lines.length;
  const table = lines.map((l) => tokenize(l, 0, l.length, []));
  if (table.every((r) => r.length === 0)) throw new FormatError(undefined, 'no distances: the input is empty');
  const full = table.every((r) => r.length === n);
  const dist = new Float64Array((n * (n - 1)) / 2);
  let u = 0;
  for (let i = 0; i < n; i++) {
    const row = table[i];
    if (!full && row.length !== i && row.length !== i + 1)
      throw new FormatError(
        i + 1,
        `row ${i} has ${row.length} entries: a distance matrix needs ${n} in every row, or ${i} (or ${i + 1}) in a triangle`,
      );
    for (let j = 0; j < i; j++) dist[u++] = parseValue(row[j], i + 1, 'distance');
    for (let j = i; j < row.length; j++) parseValue(row[j], i + 1, 'distance');
  }
  return { kind: 'lower', n, dist };
}

function parseSparse(text: string): Metric {
  const is: number[] = [];
  const js: number[] = [];
  const ds: number[] = [];
  let n = 0;
  for (const { line, tokens } of rows(text)) {
    if (tokens.length !== 3) throw new FormatError(line, `expected 'i j distance', got ${tokens.length} entries`);
    const [a, b] = tokens.slice(0, 2).map((t) => {
      const v = Number(t);
      if (!/^\d+$/.test(t) || !Number.isSafeInteger(v)) throw new FormatError(line, `'${t}' is not a vertex number`);
      return v;
    });
    if (a > 0xfffffffe || b > 0xfffffffe) throw new FormatError(line, 'vertex number too large');
    is.push(a);
    js.push(b);
    ds.push(parseValue(tokens[2], line, 'distance'));
    n = Math.max(n, a + 1, b + 1);
  }
  if (is.length === 0) throw new FormatError(undefined, 'no edges: the input is empty');
  return { kind: 'sparse', n, i: Uint32Array.from(is), j: Uint32Array.from(js), dist: Float64Array.from(ds) };
}

/** A number as C++ iostreams print a float by default (printf %g with 6 significant digits). */
export function formatValue(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isNaN(x)) return 'nan';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // printf's %g with 6 digits: the digits first (an exact tie rounds to even, as in C), then where the point goes.
  const [mantissa, e] = toExponentialEven(x, 6).split('e');
  const exp = Number(e);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (exp < -4 || exp >= 6) {
    const m = withoutTrailingZeros(`${digits[0]}.${digits.slice(1)}`);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed =
    exp >= 0 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `0.${'0'.repeat(-exp - 1)}${digits}`;
  return sign + withoutTrailingZeros(fixed);
}

function withoutTrailingZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** The barcode lines Ripser prints: ' [b,d)' or ' [b, )' under 'persistence intervals in dim K:'. */
export function formatBarcodes(diagrams: Array<Array<[number, number]>>): string {
  const out: string[] = [];
  diagrams.forEach((bars, dim) => {
    out.push(`persistence intervals in dim ${dim}:`);
    for (const [b, d] of bars)
      out.push(d === Infinity ? ` [${formatValue(b)}, )` : ` [${formatValue(b)},${formatValue(d)})`);
  });
  return out.join('\n') + '\n';
}
