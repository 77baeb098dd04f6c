// The benches run the TypeScript library in plain Node: esbuild bundles the exports a bench names into one ES
// module, which is imported and its temporary file removed.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * @param {string} contents export lines, with paths relative to the project root
 * @returns {Promise<any>}
 */
export async function importBundle(contents) {
  const work = mkdtempSync(join(tmpdir(), 'kleinscope-bench-'));
  const bundle = join(work, 'lib.mjs');
  try {
    await build({
      absWorkingDir: root,
      stdin: { contents, resolveDir: root, loader: 'ts' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: bundle,
      logLevel: 'warning',
    });
    return await import(bundle);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The CLI's pool thread (src/cli/analysisThread.ts) bundled on its own, for a bench that runs the analysis on
 * worker threads (src/cli/threadPool.ts's nodeTaskPool takes its URL). Removed when the process exits.
 * @returns {Promise<URL>}
 */
export async function bundleThread() {
  const work = mkdtempSync(join(tmpdir(), 'kleinscope-thread-'));
  const outfile = join(work, 'analysisThread.mjs');
  await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/analysisThread.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile,
    logLevel: 'warning',
  });
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  return pathToFileURL(outfile);
}
