// `npm run bench -- profile [--layers=28] [--jobs=N] [--keep=DIR]`: `kleinscope profile` end to end on a generated VGG-sized model, a bare
// weights manifest with 28 3x3 layers (3->64 up to 256->256, i.e. 192 to 65,536 filters each) stored as uint8,
// uint16, float16 and float32 tensors. Each layer mixes edge filters (the primary circle), line filters and noise,
// with fewer edges deeper in, as in trained networks. References in the same run: the target of 3 minutes
// (printed as measured/target), and one 65,536-filter layer through `kleinscope analyze` with the single-layer
// defaults (printed as the profile's mean time per such layer / analyze's).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from './support/seeded.js';

const TARGET_S = 180;
const arg = process.argv.find((a) => a.startsWith('--layers='));
const nLayers = arg ? Number(arg.slice('--layers='.length)) : 28;
// --keep=DIR keeps the chart, the CSV and the result documents there, to look at; --jobs=N is the CLI's --jobs.
const jobs = process.argv.find((a) => a.startsWith('--jobs='))?.slice('--jobs='.length);
const keep = process.argv.find((a) => a.startsWith('--keep='))?.slice('--keep='.length);
if (!Number.isInteger(nLayers) || nLayers < 1) {
  process.stderr.write('bench profile: --layers=N takes a positive integer\n');
  process.exit(2);
}

const channels = [3, 64, 64, 128, 128, 128, ...Array(Math.max(0, nLayers - 5)).fill(256)];
const random = rng(16);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * One layer's kernel [3, 3, cin, cout] (row-major): a share of edges x cos t + y sin t, of lines Q(.) = 2u^2 - 1,
 * and Gaussian noise, each with a random gain and a little noise.
 * @param {number} cin @param {number} cout @param {number} depth in [0, 1]
 */
function kernel(cin, cout, depth) {
  const n = cin * cout;
  const edges = 0.7 - 0.5 * depth;
  const lines = 0.15;
  const values = new Float32Array(9 * n);
  for (let f = 0; f < n; f++) {
    const t = 2 * Math.PI * random();
    const u = random();
    const gain = 0.02 + 0.1 * random();
    for (let ij = 0; ij < 9; ij++) {
      const x = (ij % 3) - 1;
      const y = Math.floor(ij / 3) - 1;
      const along = (x * Math.cos(t) + y * Math.sin(t)) / Math.SQRT2;
      const shape = u < edges ? along : u < edges + lines ? 2 * along * along - 1 : 0;
      // [i][j][ci][co] with f = co * cin + ci, as spatialFilters reads it.
      values[ij * n + (f % cin) * cout + Math.floor(f / cin)] =
        gain * (shape + (u < edges + lines ? 0.15 : 1) * gauss());
    }
  }
  return values;
}

/** @param {Float32Array} values @param {string} dtype */
function encode(values, dtype) {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (dtype === 'float32') return { bytes: new Uint8Array(values.buffer), quantization: undefined };
  if (dtype === 'float16') {
    const out = new Uint16Array(values.length);
    values.forEach((v, i) => (out[i] = toHalf(v)));
    return { bytes: new Uint8Array(out.buffer), quantization: { dtype } };
  }
  const levels = dtype === 'uint8' ? 255 : 65535;
  const scale = (max - min) / levels;
  const q = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  values.forEach((v, i) => (q[i] = Math.round((v - min) / scale)));
  return { bytes: new Uint8Array(q.buffer), quantization: { dtype, scale, min } };
}

/** Round to the nearest half (normal range only; these weights are far from its limits). @param {number} v */
function toHalf(v) {
  const f = new Float32Array([v]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  const mant = bits & 0x7fffff;
  const rounded = (exp << 10) + (mant >>> 13) + ((mant >>> 12) & 1);
  return sign | Math.min(rounded, 0x7bff);
}

const work = mkdtempSync(join(tmpdir(), 'kleinscope-bench-profile-'));
try {
  const dtypes = ['uint8', 'uint16', 'float16', 'float32'];
  const weights = [];
  const parts = [];
  for (let l = 0; l < nLayers; l++) {
    const cin = channels[l];
    const cout = channels[l + 1];
    const dtype = dtypes[l % dtypes.length];
    const { bytes, quantization } = encode(kernel(cin, cout, l / Math.max(1, nLayers - 1)), dtype);
    weights.push({
      name: `block${l + 1}/conv/filters`,
      shape: [3, 3, cin, cout],
      dtype: 'float32',
      ...(quantization ? { quantization } : {}),
    });
    parts.push(bytes);
  }
  const shard = 'net-shard1';
  writeFileSync(join(work, shard), Buffer.concat(parts));
  const manifest = join(work, 'net-weights_manifest.json');
  writeFileSync(manifest, JSON.stringify([{ weights, paths: [shard] }]));
  const filters = channels.slice(0, nLayers).map((c, l) => c * channels[l + 1]);
  process.stdout.write(
    `model: ${nLayers} 3x3 layers, ${filters[0]} to ${Math.max(...filters)} filters each ` +
      `(${filters.reduce((a, b) => a + b, 0)} in all), ${dtypes.join('/')} tensors in turn\n`,
  );

  const { main } = await import(new URL('../../node_modules/.kleinscope/cli/main.js', import.meta.url).href);
  const out = join(work, 'profile');
  const quiet = process.stdout.write.bind(process.stdout);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const code = await main(['profile', manifest, '--out', out, ...(jobs ? ['--jobs', jobs] : [])]);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (code !== 0) throw new Error(`kleinscope profile exited with ${code}`);
  const written = readdirSync(out);
  if (keep) cpSync(out, keep, { recursive: true });
  const docs = written.filter((f) => /^layer-\d+\.json$/.test(f)).length;
  const big = filters.filter((f) => f === Math.max(...filters)).length;

  // Reference: one of the largest layers through `analyze` with the single-layer defaults.
  const lastBig = filters.lastIndexOf(Math.max(...filters)) + 1;
  process.stdout.write = () => true;
  const t1 = performance.now();
  const refCode = await main(['analyze', manifest, '--layer', String(lastBig), '--out', join(work, 'ref.json')]);
  const refWall = (performance.now() - t1) / 1000;
  process.stdout.write = quiet;
  if (refCode !== 0) throw new Error(`kleinscope analyze exited with ${refCode}`);

  // The profile's lighter persistence (fewer landmarks) against analyze's default on the same layer.
  /** @param {string} file */
  const bars = (file) => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const t = doc.persistence.threshold ?? Infinity;
    /** @type {number[]} */
    const lengths = doc.persistence.diagrams[1].map((/** @type {[number, number | null]} */ [b, d]) => (d ?? t) - b);
    lengths.sort((a, b) => b - a);
    return `longest H1 bar ${lengths[0]?.toFixed(3)}, next ${lengths[1]?.toFixed(3)} (${doc.persistence.landmarks} landmarks)`;
  };
  const profiled = readdirSync(out).find(
    (f) => f === `layer-${String(lastBig).padStart(String(nLayers).length, '0')}.json`,
  );
  process.stdout.write(
    `\nlayer ${lastBig}: profile ${profiled ? bars(join(out, profiled)) : '(no document)'}; ` +
      `analyze ${bars(join(work, 'ref.json'))}\n`,
  );
  process.stdout.write(
    `profile (--jobs ${jobs ?? 'default'}): ${wall.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ` +
      `wrote profile.svg: ${written.includes('profile.svg')}, profile.csv: ${written.includes('profile.csv')}, ` +
      `${docs} result documents\n`,
  );
  process.stdout.write(`measured/target (${TARGET_S} s): ${(wall / TARGET_S).toFixed(2)}\n`);
  process.stdout.write(
    `analyze --layer ${lastBig} (defaults, ${Math.max(...filters)} filters subsampled to 50,000): ${refWall.toFixed(1)} s; ` +
      `profile's mean per layer / analyze's: ${(wall / nLayers / refWall).toFixed(2)} (${big} of the layers are that large)\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
