// `npm run bench -- ph [--repeat=N]`: Debian's ripser against `kleinscope ph` on issue 27's set (o3_1024, o3_4096,
// a torus and Gaussian clouds; the last two generated here from a fixed seed, as the held-out ones are not
// ours to have) and two more of ripser's examples, in the same run: ours on one thread (`--threads 1`) and on every core (`--threads <cores>`). Prints wall time, CPU time
// (user + system of all threads; it also counts V8's compiler threads), peak memory (max RSS) and peak anonymous
// memory of each, our/ripser ratios, and whether each printed ripser's lines. The best of N runs counts (default
// 1), the runs of the three taken in turns. The load average before and after is printed: on a shared machine it
// says what the wall times are worth.
//
// Max RSS counts the pages of the executable that a run touches: for node that is ~34 MB of its binary before a
// line of ours runs, for ripser ~3 MB. Peak anonymous memory (RssAnon, sampled every millisecond from /proc) is
// what the program allocated itself: heap, stacks, arrays.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { rng } from './support/seeded.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const examples = fileURLToPath(new URL('../../../shared/bench/ripser-examples/', import.meta.url));
const ripser = '/usr/bin/ripser';
const timeBin = '/usr/bin/time';
const cli = `${root}src/cli/kleinscope.js`;

/** @param {() => number} u */
const normal = (u) => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());

/**
 * Writes a point cloud (one point a line, 6 decimals) into the bench's folder; returns its path.
 * @param {string} name
 * @param {number[][]} points
 */
function writeCloud(name, points) {
  const dir = join(tmpdir(), 'kleinscope-ph-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, points.map((p) => p.map((x) => x.toFixed(6)).join(' ')).join('\n') + '\n');
  return file;
}

/** 2,000 points on a torus in R^3 (radii 2 and 1), uniform in both angles, with Gaussian noise of 0.02. */
function torusCloud() {
  const u = rng(27);
  const points = [];
  for (let i = 0; i < 2000; i++) {
    const a = 2 * Math.PI * u();
    const b = 2 * Math.PI * u();
    const r = 2 + Math.cos(b);
    points.push([r * Math.cos(a), r * Math.sin(a), Math.sin(b)].map((x) => x + 0.02 * normal(u)));
  }
  return writeCloud('torus_2000.txt', points);
}

/** 800 points in R^4 from three standard Gaussians whose centres are drawn with standard deviation 3. */
function gaussianClouds() {
  const u = rng(29);
  const centres = [0, 1, 2].map(() => [0, 1, 2, 3].map(() => 3 * normal(u)));
  const points = [];
  for (let i = 0; i < 800; i++) points.push(centres[i % 3].map((c) => c + normal(u)));
  return writeCloud('gaussian_800.txt', points);
}

/** Issue 27's set first (its total is the target's), then two more of ripser's examples. */
const rows = [
  { name: 'o3_1024 H2 t=1.8', args: ['--format', 'point-cloud', '--dim', '2', '--threshold', '1.8', 'o3_1024.txt'] },
  { name: 'o3_4096 H2 t=1.4', args: ['--format', 'point-cloud', '--dim', '2', '--threshold', '1.4', 'o3_4096.txt'] },
  {
    name: 'torus 2000 H2 t=0.9',
    args: ['--format', 'point-cloud', '--dim', '2', '--threshold', '0.9', torusCloud()],
  },
  {
    name: 'Gaussians 800 H2 t=2.2',
    args: ['--format', 'point-cloud', '--dim', '2', '--threshold', '2.2', gaussianClouds()],
  },
  {
    name: 'sphere_3_192 H2',
    args: ['--format', 'lower-distance', '--dim', '2', 'sphere_3_192.lower_distance_matrix'],
  },
  {
    name: 'cyclooctane H1 t=0.5',
    args: ['--format', 'point-cloud', '--dim', '1', '--threshold', '0.5', 'pointsCycloOctane.csv'],
  },
];
const SET = 4;

const repeatArg = process.argv.find((a) => a.startsWith('--repeat='));
const repeat = repeatArg ? Math.max(1, Number(repeatArg.slice('--repeat='.length)) || 1) : 1;

if (!existsSync(ripser)) {
  process.stdout.write(`ph: ${ripser} is not installed (apt-get install ripser); nothing to compare against\n`);
  process.exit(0);
}
if (!existsSync(`${root}node_modules/.kleinscope/cli/main.js`)) {
  spawnSync(process.execPath, [`${root}src/cli/build.js`], { stdio: 'inherit' });
}

/**
 * The anonymous resident memory (kB) of a process and its descendants now; without self, of its descendants
 * only (the command runs under /usr/bin/time, whose own memory is not the command's).
 * @param {number} pid
 * @param {boolean} self
 * @returns {number}
 */
function anonKb(pid, self) {
  let kb = 0;
  try {
    if (self) kb = Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean))
      kb += anonKb(Number(child), true);
  } catch {
    // The process ended between two samples.
  }
  return kb;
}

/**
 * Runs a command once; returns wall and CPU seconds, peak RSS and peak anonymous memory in MB, and its stdout.
 * @param {string} cmd
 * @param {string[]} args
 * @returns {Promise<{ seconds: number, cpu: number, mb: number, anonMb: number, stdout: string, ok: boolean }>}
 */
function measure(cmd, args) {
  const useTime = existsSync(timeBin);
  const start = process.hrtime.bigint();
  const child = useTime
    ? spawn(timeBin, ['-f', '%M %U %S', cmd, ...args], { cwd: examples })
    : spawn(cmd, args, { cwd: examples });
  /** @type {Buffer[]} */
  const out = [];
  let err = '';
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => (err += b));
  let peakAnon = 0;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) peakAnon = Math.max(peakAnon, anonKb(child.pid, !useTime));
  }, 1);
  return new Promise((resolve) => {
    child.on('close', (status) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      let mb = NaN;
      let cpu = NaN;
      if (useTime) {
        const lines = err.trim().split('\n');
        const [kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
        mb = kb / 1024;
        cpu = user + sys;
      }
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ seconds, cpu, mb, anonMb: peakAnon / 1024, stdout, ok: status === 0 });
    });
  });
}

/**
 * The best of `repeat` runs of each command, taken in turns (a, b, c, a, b, c, ...) so that on a shared machine the
 * load changes the same way for all of them.
 * @param {Array<[string, string[]]>} commands
 */
async function bestInTurns(commands) {
  /** @type {Array<Awaited<ReturnType<typeof measure>>>} */
  const out = [];
  for (let i = 0; i < repeat; i++)
    for (let c = 0; c < commands.length; c++) {
      const again = await measure(...commands[c]);
      const prev = out[c];
      out[c] = prev
        ? {
            ...(again.seconds < prev.seconds ? again : prev),
            cpu: Math.min(prev.cpu, again.cpu),
            mb: Math.min(prev.mb, again.mb),
            anonMb: Math.min(prev.anonMb, again.anonMb),
            ok: prev.ok && again.ok && prev.stdout === again.stdout,
          }
        : again;
    }
  return out;
}

/** @param {number} x */
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

const cores = availableParallelism();
const header = [
  `| input | ripser s | 1 thread s | ratio | ${cores} threads s | ratio | ripser CPU s | 1 thread CPU s | ${cores} threads CPU s | ripser MB | 1 thread MB | ${cores} threads MB | ripser anon MB | 1 thread anon MB | ${cores} threads anon MB | same output |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
process.stdout.write(`ph: Debian ripser vs kleinscope ph, best of ${repeat}, on this machine (${cores} cores)\n`);
process.stdout.write(`load average before: ${load()}\n\n`);
process.stdout.write(header.join('\n') + '\n');
const [idle] = await bestInTurns([[process.execPath, ['-e', '0']]]);
/** @type {number[]} */
const totals = [0, 0, 0];
/** @param {string} name */
const totalRow = (name) =>
  `| ${name} | ${fmt(totals[0])} | ${fmt(totals[1])} | ${fmt(totals[1] / totals[0])} | ${fmt(totals[2])} | ${fmt(totals[2] / totals[0])} |  |  |  |  |  |  |  |  |  |  |\n`;
for (const [index, row] of rows.entries()) {
  const [theirs, serial, parallel] = await bestInTurns([
    [ripser, row.args],
    [process.execPath, [cli, 'ph', '--threads', '1', ...row.args]],
    [process.execPath, [cli, 'ph', '--threads', String(cores), ...row.args]],
  ]);
  /** @param {{ ok: boolean, stdout: string }} ours */
  const same = (ours) => (theirs.ok && ours.ok && theirs.stdout === ours.stdout ? 'yes' : ours.ok ? 'NO' : 'FAILED');
  totals[0] += theirs.seconds;
  totals[1] += serial.seconds;
  totals[2] += parallel.seconds;
  const cells = [
    row.name,
    fmt(theirs.seconds),
    fmt(serial.seconds),
    fmt(serial.seconds / theirs.seconds),
    fmt(parallel.seconds),
    fmt(parallel.seconds / theirs.seconds),
    fmt(theirs.cpu),
    fmt(serial.cpu),
    fmt(parallel.cpu),
    fmt(theirs.mb),
    fmt(serial.mb),
    fmt(parallel.mb),
    fmt(theirs.anonMb),
    fmt(serial.anonMb),
    fmt(parallel.anonMb),
    `${same(serial)} / ${same(parallel)}`,
  ];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
  if (index === SET - 1) process.stdout.write(totalRow(`issue 27's set (${SET})`));
}
process.stdout.write(totalRow(`all ${rows.length}`));
process.stdout.write(`\nload average after: ${load()}\n`);
process.stdout.write(
  `target: the ${cores}-thread time ratio <= 0.6 on issue 27's set, output identical, memory no more than before\n`,
);
process.stdout.write(
  `node itself, before any of our code: ${fmt(idle.mb)} MB max RSS, ${fmt(idle.anonMb)} MB anonymous\n`,
);
