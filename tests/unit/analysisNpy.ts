/** Writes a .npy (format 1.0) file's bytes, for tests. */
export function npyBytes(
  data: ArrayLike<number>,
  shape: number[],
  { dtype = '<f4', fortran = false, truncate = 0 }: { dtype?: string; fortran?: boolean; truncate?: number } = {},
): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = dtype.endsWith('8') ? 8 : 4;
  const bytes = new Uint8Array(10 + header.length + data.length * size);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const o = 10 + header.length;
  for (let i = 0; i < data.length; i++) {
    if (size === 8) view.setFloat64(o + i * 8, data[i], dtype[0] === '<');
    else if (dtype.slice(1) === 'i4') view.setInt32(o + i * 4, data[i], true);
    else view.setFloat32(o + i * 4, data[i], dtype[0] === '<');
  }
  return truncate ? bytes.subarray(0, bytes.length - truncate) : bytes;
}
