import { describe, expect, test } from 'vitest';
import { FilterFormatError, readFilters } from '../../src/lib/analysis/readFilters';
import { npyBytes } from './analysisNpy';

const text = (s: string) => new TextEncoder().encode(s);
const nine = (base: number) => Array.from({ length: 9 }, (_, j) => base + j);

function error(bytes: Uint8Array, name: string): FilterFormatError {
  try {
    readFilters(bytes, name);
  } catch (e) {
    if (e instanceof FilterFormatError) return e;
    throw e;
  }
  throw new Error('expected a FilterFormatError');
}

describe('reading filters', () => {
  test('CSV: commas, spaces, a header, comments and blank lines', () => {
    const f = readFilters(
      text(`a,b,c,d,e,f,g,h,i\n# comment\n${nine(0).join(',')}\n\n${nine(10).join(' ')}\r\n`),
      'x.csv',
    );
    expect(f.n).toBe(2);
    expect(Array.from(f.filters)).toEqual([...nine(0), ...nine(10)]);
  });

  test('JSON: flat and 3x3 filters', () => {
    const f = readFilters(
      text(JSON.stringify([nine(0), [nine(1).slice(0, 3), nine(1).slice(3, 6), nine(1).slice(6)]])),
      'f.json',
    );
    expect(Array.from(f.filters)).toEqual([...nine(0), ...nine(1)]);
  });

  test('.npy [n, 3, 3] in C and Fortran order, float32 and float64', () => {
    const data = [...nine(0), ...nine(10)];
    expect(Array.from(readFilters(npyBytes(data, [2, 3, 3]), 'a.npy').filters)).toEqual(data);
    expect(Array.from(readFilters(npyBytes(data, [2, 9], { dtype: '<f8' }), 'a.npy').filters)).toEqual(data);
    // Fortran order stores element (i, r, c) at i + 2 (r + 3 c).
    const fortran = new Array<number>(18);
    for (let i = 0; i < 2; i++)
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) fortran[i + 2 * (r + 3 * c)] = data[i * 9 + r * 3 + c];
    expect(Array.from(readFilters(npyBytes(fortran, [2, 3, 3], { fortran: true }), 'a.npy').filters)).toEqual(data);
  });

  test('.npy TensorFlow kernel [3, 3, cin, cout] gives cin*cout filters, by output then input channel', () => {
    const cin = 2;
    const cout = 3;
    const kernel = new Array<number>(9 * cin * cout);
    // Value encodes (r, c, ci, co) so each filter is recognisable.
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 3; c++)
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++)
            kernel[((r * 3 + c) * cin + ci) * cout + co] = 100 * co + 10 * ci + (r * 3 + c);
    const f = readFilters(npyBytes(kernel, [3, 3, cin, cout]), 'k.npy');
    expect(f.n).toBe(6);
    expect(f.shape).toEqual([3, 3, 2, 3]);
    expect(Array.from(f.filters.subarray(9, 18))).toEqual(nine(10)); // co = 0, ci = 1
    expect(Array.from(f.filters.subarray(5 * 9, 6 * 9))).toEqual(nine(210)); // co = 2, ci = 1
  });

  test.each([
    ['x.csv', `${nine(0).join(',')}\n1,2,3\n`, 2, /expected 9 values \(a 3x3 filter\), found 3/],
    ['x.csv', `${nine(0).join(',')}\n1,2,x,4,5,6,7,8,9\n`, 2, /value 3: 'x' is not a number/],
    ['x.csv', `1,2,NaN,4,5,6,7,8,9\n`, 1, /value 3 is NaN/],
    ['x.csv', `1,2,3,4,5,6,7,8,-Infinity\n`, 1, /value 9 is -Infinity/],
    ['x.csv', `1,2,,4,5,6,7,8,9\n`, 1, /value 3: '' is not a number/],
    ['x.csv', `1,2,3,4,5,6,7,8,1e999\n`, 1, /overflows/],
    ['x.csv', `# nothing\n\n`, undefined, /no filters/],
    ['x.json', `[[1,2,3]]`, undefined, /filter \[0\]: expected 9 numbers/],
    [
      'x.json',
      `[\n[1,2,3,4,5,6,7,8,9],\n[1,2,3,4,5,6,7,8,"9"]]`,
      undefined,
      /filter \[1\] value 9: "9" is not a number/,
    ],
    ['x.json', `[\n[1,2,3,4,5,6,7,8,9],\n[1,2,3,4,5,6,7,8,9]`, 3, /invalid JSON/],
    ['x.json', `{"filters": []}`, undefined, /expected a JSON array/],
    ['x.json', `[]`, undefined, /no filters/],
  ])('%s %j is refused', (name, body, line, message) => {
    const e = error(text(body), name);
    expect(e.message).toMatch(message);
    expect(e.line).toBe(line);
  });

  test.each([
    ['truncated data', npyBytes(nine(0), [1, 3, 3], { truncate: 4 }), /truncated data/],
    ['a wrong shape', npyBytes([1, 2, 3, 4], [2, 2]), /shape \(2, 2\) is not/],
    ['a NaN', npyBytes([...nine(0).slice(0, 8), Number.NaN], [1, 3, 3]), /element \(0, 2, 2\) is NaN/],
    ['an unsupported dtype', npyBytes(nine(0), [1, 9], { dtype: '<c8' }), /unsupported dtype/],
    ['a cut header', npyBytes(nine(0), [1, 9]).subarray(0, 20), /truncated header/],
    ['no magic', text('not numpy at all'), /magic/],
  ])('.npy with %s is refused', (_what, bytes, message) => {
    expect(error(bytes, 'x.npy').message).toMatch(message);
  });

  test('bytes that are not UTF-8 are refused', () => {
    expect(error(new Uint8Array([0xff, 0xfe, 0x00, 0x31]), 'x.csv').message).toMatch(/not UTF-8/);
  });
});
