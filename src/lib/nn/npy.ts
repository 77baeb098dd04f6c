/**
 * NumPy .npy (format 1.0) for float32 arrays, the form the CLI writes kernels in so that numpy.load reads them
 * as-is. Pure bytes in and out; the CLI does the file I/O.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export class NpyError extends Error {}

/** A little-endian float32 C-order array with the given shape. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new NpyError(`shape [${shape}] needs ${size} values, got ${data.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** Reads a float32 (or float64, converted) C-order .npy; anything else is an NpyError saying what it found. */
export function decodeNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyError('not a .npy file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLength > bytes.length) throw new NpyError('truncated .npy header');
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new NpyError('Fortran-order .npy arrays are not supported');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw new NpyError('.npy header has no descr or shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`bad .npy shape (${shapeText})`);
  const size = shape.reduce((a, b) => a * b, 1);
  const width = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (!width) throw new NpyError(`.npy dtype ${descr} is not little-endian float32 or float64`);
  const dataAt = start + headerLength;
  if (bytes.length - dataAt !== size * width) {
    throw new NpyError(`.npy data is ${bytes.length - dataAt} bytes, shape (${shapeText}) needs ${size * width}`);
  }
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    data[i] = width === 4 ? view.getFloat32(dataAt + i * 4, true) : view.getFloat64(dataAt + i * 8, true);
  }
  return { shape, data };
}
