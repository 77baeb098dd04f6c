// The benches run the TypeScript library in plain Node: esbuild bundles the exports a bench names into one ES
// module, which is imported and its temporary file removed.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

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
