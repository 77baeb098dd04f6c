/**
 * Parses filter files (CSV, JSON, NumPy .npy) from bytes, with no I/O, so the browser and the CLI share it.
 * Every problem is a FilterFormatError naming the line (text formats) or the field, never a partial result.
 */

export class FilterFormatError extends Error {
  constructor(
    message: string,
    /** 1-based line for text formats. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'FilterFormatError';
  }
}

export type FilterFormat = 'csv' | 'json' | 'npy';

export interface FilterFile {
  format: FilterFormat;
  /** n x 9, each 3x3 filter row-major. */
  filters: Float64Array;
  n: number;
  /** The array's shape as stored (e.g. [3, 3, cin, cout] for a TensorFlow kernel). */
  shape: number[];
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(head: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

/** Picks the format from the name, then the content: .npy magic, a leading '[' for JSON, else CSV. */
export function detectFormat(name: string, head: Uint8Array): FilterFormat {
  if (isNpy(head)) return 'npy';
  const lower = name.toLowerCase();
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv') || lower.endsWith('.txt') || lower.endsWith('.tsv')) return 'csv';
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x5b || b === 0x7b ? 'json' : 'csv';
  }
  return 'csv';
}

export function readFilters(bytes: Uint8Array, name = ''): FilterFile {
  const format = detectFormat(name, bytes.subarray(0, 64));
  const file = format === 'npy' ? readNpy(bytes) : format === 'json' ? readJson(decode(bytes)) : readCsv(decode(bytes));
  if (file.n === 0) throw new FilterFormatError('no filters found');
  return file;
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FilterFormatError('not UTF-8 text (expected CSV or JSON, or a .npy array)');
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

function parseValue(token: string, line: number, field: number): number {
  if (NON_FINITE.test(token))
    throw new FilterFormatError(`value ${field} is ${token}; filters must be finite numbers`, line);
  if (!NUMBER.test(token)) throw new FilterFormatError(`value ${field}: '${token.slice(0, 40)}' is not a number`, line);
  const v = Number(token);
  if (!Number.isFinite(v)) throw new FilterFormatError(`value ${field}: ${token.slice(0, 40)} overflows`, line);
  return v;
}

/** One filter per line: 9 numbers separated by commas, semicolons or spaces. Blank lines and # comments are skipped. */
export function readCsv(text: string): FilterFile {
  const values: number[] = [];
  const lines = text.split('\n');
  let n = 0;
  let seenData = false;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l].replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = line.split(/\s*[,;\t]\s*|\s+/).filter((t, i, all) => t !== '' || (i > 0 && i < all.length - 1));
    // A header line of names (no numbers at all) is allowed before the first filter.
    if (!seenData && tokens.every((t) => /^[A-Za-z_"'][\w"' .-]*$/.test(t) && !NON_FINITE.test(t))) {
      seenData = true;
      continue;
    }
    seenData = true;
    if (tokens.length !== 9)
      throw new FilterFormatError(`expected 9 values (a 3x3 filter), found ${tokens.length}`, l + 1);
    tokens.forEach((t, j) => values.push(parseValue(t, l + 1, j + 1)));
    n++;
  }
  return { format: 'csv', filters: Float64Array.from(values), n, shape: [n, 9] };
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** A JSON array of filters, each 9 numbers or 3 rows of 3 numbers. */
export function readJson(text: string): FilterFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw new FilterFormatError(`invalid JSON: ${message.split('\n')[0]}`, line);
  }
  if (!Array.isArray(value))
    throw new FilterFormatError('expected a JSON array of filters (each 9 numbers or 3 rows of 3)');
  const n = value.length;
  const filters = new Float64Array(n * 9);
  value.forEach((f: unknown, i) => {
    const flat = Array.isArray(f) && f.length === 3 && f.every((r) => Array.isArray(r)) ? (f as unknown[][]).flat() : f;
    if (!Array.isArray(flat) || flat.length !== 9 || (Array.isArray(f) && f.length === 3 && flat.length !== 9))
      throw new FilterFormatError(`filter [${i}]: expected 9 numbers or 3 rows of 3 numbers`);
    flat.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new FilterFormatError(`filter [${i}] value ${j + 1}: ${JSON.stringify(v) ?? String(v)} is not a number`);
      filters[i * 9 + j] = v;
    });
  });
  return { format: 'json', filters, n, shape: [n, 3, 3] };
}

interface NpyHeader {
  descr: string;
  fortran: boolean;
  shape: number[];
  dataOffset: number;
}

function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (!isNpy(bytes)) throw new FilterFormatError('.npy: missing the \\x93NUMPY magic');
  if (bytes.length < 10) throw new FilterFormatError('.npy: truncated header');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FilterFormatError('.npy: truncated header');
    headerLength = view.getUint32(8, true);
    start = 12;
  } else throw new FilterFormatError(`.npy: unsupported format version ${major}`);
  if (start + headerLength > bytes.length) throw new FilterFormatError('.npy: truncated header');
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new FilterFormatError('.npy: header lacks descr, fortran_order or shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new FilterFormatError(`.npy: bad shape (${shapeText})`);
      return v;
    });
  return { descr, fortran: fortran === 'True', shape, dataOffset: start + headerLength };
}

type Reader = (view: DataView, offset: number) => number;

function elementReader(descr: string): { size: number; read: Reader } {
  const order = descr[0];
  const little = order === '<' || order === '|' || order === '=';
  if (order !== '<' && order !== '>' && order !== '|' && order !== '=')
    throw new FilterFormatError(`.npy: unsupported dtype '${descr}'`);
  switch (descr.slice(1)) {
    case 'f8':
      return { size: 8, read: (v, o) => v.getFloat64(o, little) };
    case 'f4':
      return { size: 4, read: (v, o) => v.getFloat32(o, little) };
    case 'i1':
      return { size: 1, read: (v, o) => v.getInt8(o) };
    case 'u1':
      return { size: 1, read: (v, o) => v.getUint8(o) };
    case 'i2':
      return { size: 2, read: (v, o) => v.getInt16(o, little) };
    case 'i4':
      return { size: 4, read: (v, o) => v.getInt32(o, little) };
    case 'i8':
      return { size: 8, read: (v, o) => Number(v.getBigInt64(o, little)) };
    default:
      throw new FilterFormatError(`.npy: unsupported dtype '${descr}' (use float32 or float64)`);
  }
}

/**
 * A .npy array of shape [n, 3, 3], [n, 9], or [3, 3, cin, cout] (a TensorFlow conv kernel, which gives cin*cout
 * spatial filters, ordered by output channel then input channel).
 */
export function readNpy(bytes: Uint8Array): FilterFile {
  const { descr, fortran, shape, dataOffset } = parseNpyHeader(bytes);
  const { size, read } = elementReader(descr);
  const total = shape.reduce((a, b) => a * b, 1);
  const need = dataOffset + total * size;
  if (bytes.length < need)
    throw new FilterFormatError(
      `.npy: truncated data (shape (${shape.join(', ')}) needs ${need} bytes, file has ${bytes.length})`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Strides in elements for the stored order, so Fortran-ordered arrays read the same.
  const strides = new Array<number>(shape.length);
  let s = 1;
  if (fortran)
    for (let d = 0; d < shape.length; d++) {
      strides[d] = s;
      s *= shape[d];
    }
  else
    for (let d = shape.length - 1; d >= 0; d--) {
      strides[d] = s;
      s *= shape[d];
    }
  const at = (...index: number[]) => {
    let e = 0;
    index.forEach((i, d) => (e += i * strides[d]));
    const v = read(view, dataOffset + e * size);
    if (!Number.isFinite(v))
      throw new FilterFormatError(`.npy: element (${index.join(', ')}) is ${v}; filters must be finite numbers`);
    return v;
  };
  const shapeText = `(${shape.join(', ')})`;
  let n: number;
  let filters: Float64Array;
  if (shape.length === 3 && shape[1] === 3 && shape[2] === 3) {
    n = shape[0];
    filters = new Float64Array(n * 9);
    for (let i = 0; i < n; i++)
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) filters[i * 9 + r * 3 + c] = at(i, r, c);
  } else if (shape.length === 2 && shape[1] === 9) {
    n = shape[0];
    filters = new Float64Array(n * 9);
    for (let i = 0; i < n; i++) for (let j = 0; j < 9; j++) filters[i * 9 + j] = at(i, j);
  } else if (shape.length === 4 && shape[0] === 3 && shape[1] === 3) {
    const [, , cin, cout] = shape;
    n = cin * cout;
    filters = new Float64Array(n * 9);
    for (let o = 0; o < cout; o++)
      for (let ci = 0; ci < cin; ci++)
        for (let r = 0; r < 3; r++)
          for (let c = 0; c < 3; c++) filters[(o * cin + ci) * 9 + r * 3 + c] = at(r, c, ci, o);
  } else throw new FilterFormatError(`.npy: shape ${shapeText} is not [n, 3, 3], [n, 9] or [3, 3, cin, cout]`);
  return { format: 'npy', filters, n, shape };
}
