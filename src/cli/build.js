// Bundles the CLI to plain JavaScript so `npx kleinscope` starts without a TypeScript loader.
// Runs on `npm ci` (the prepare script); dependencies stay external and load from node_modules.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

const outdir = 'node_modules/.kleinscope/cli';
// Split chunks get new hashed names with every change: without this, each build left the last one's behind.
rmSync(new URL(`../../${outdir}`, import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  // profileWorker, analysisThread and ripsWorker run in worker threads (`profile`'s layers, the analysis's task
  // pool, `ph`'s parallel reduction), so each is an entry of its own.
  entryPoints: ['src/cli/main.ts', 'src/cli/profileWorker.ts', 'src/cli/analysisThread.ts', 'src/cli/ripsWorker.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minifySyntax: true,
  sourcemap: 'linked',
  define: { __KLEINSCOPE_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
