// `npm test`: installs the two system tools the tests compare against (when it may), then runs the
// type checks, the linters and every vitest project. Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const needed = [
  { path: '/usr/bin/chromium', pkg: 'chromium' },
  { path: '/usr/bin/ripser', pkg: 'ripser' },
];

/**
 * @param {string} label
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [opts]
 */
function run(label, cmd, args, opts = {}) {
  process.stdout.write(`\n> ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`npm test: '${label}' failed\n`);
    process.exit(r.status || 1);
  }
}

const missing = needed.filter((n) => !existsSync(n.path));
if (missing.length) {
  const pkgs = missing.map((m) => m.pkg);
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canApt) {
    process.stderr.write(
      `npm test: missing ${missing.map((m) => m.path).join(', ')}; install Debian's ${pkgs.join(' ')} (apt-get install ${pkgs.join(' ')})\n`,
    );
    process.exit(1);
  }
  run('apt-get update', 'apt-get', ['update', '-qq']);
  run(`apt-get install ${pkgs.join(' ')}`, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

const bin = (/** @type {string} */ name) => `${root}node_modules/.bin/${name}`;
run('build the CLI', process.execPath, ['src/cli/build.js']);
run('svelte-kit sync', bin('svelte-kit'), ['sync']);
run('type check (app, CLI, tests)', bin('svelte-check'), [
  '--tsconfig',
  './tsconfig.json',
  '--fail-on-warnings',
  '--output',
  'human',
]);
run('type check (functions, API tests)', bin('tsc'), ['-p', 'functions/tsconfig.json']);
run('format', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
run('lint', bin('eslint'), ['--max-warnings', '0', '.']);
// Imports run one way (tda at the ground, commands and views on top): any circle among the modules fails.
// Svelte components are leaves to dpdm (it reads .ts and .js, .svelte.ts included), which they are in practice.
run('import circles', bin('dpdm'), [
  '--no-tree',
  '--no-warning',
  '--no-progress',
  '--circular',
  '--exit-code',
  'circular:1',
  'src/**/*.ts',
  'src/**/*.js',
  'functions/**/*.ts',
]);
run('tests', bin('vitest'), [
  'run',
  '--project',
  'unit',
  '--project',
  'api',
  '--project',
  'browser',
  ...process.argv.slice(2),
]);
