import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { at, CliError } from './errors';

/**
 * Writes next to the target and renames, so a failure never leaves a partial file or clobbers a good one. With
 * `makeFolder` the target's folder is created first (training and reproduction folders grow as they go); a
 * failure is one line naming the file.
 */
export function writeAtomically(path: string, data: string | Uint8Array, makeFolder = false): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    if (makeFolder) mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new CliError(at(path, undefined, `cannot write (${(e as NodeJS.ErrnoException).code ?? e})`));
  }
}
