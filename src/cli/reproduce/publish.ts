/** `kleinscope reproduce --publish`: the documents of a run as the versions of one link. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, at } from '../errors';
import { validateResult } from '../../lib/result/validate';
import type { ResultDocument } from '../../lib/result/schema';
import { connect, serverUrl } from '../server';
import { writeAtomically } from '../atomicWrite';

const PUBLISHED_FILE = 'published.json';

/** A document this command wrote, checked again before it goes out (the file may have changed since). */
function readWritten(path: string): ResultDocument {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? 'not valid JSON' : `cannot read (${(e as NodeJS.ErrnoException).code ?? e})`;
    throw new CliError(at(path, undefined, `${why}; delete it to analyse again`));
  }
  const checked = validateResult(value);
  if (!checked.ok) {
    throw new CliError(at(path, undefined, `not a result document: field ${checked.field}: ${checked.message}`));
  }
  return checked.value;
}

/**
 * Publishes the documents as versions of one link, remembering in DIR/published.json what went out, so a rerun
 * after a failure sends only the rest and never makes a second link.
 */
export async function publishAll(
  dir: string,
  files: string[],
  server: string,
  say: (s: string) => void,
): Promise<void> {
  const base = serverUrl(server);
  const api = connect(base);
  const statePath = join(dir, PUBLISHED_FILE);
  let state: { server: string; id: string; token: string; files: string[] } | null = null;
  if (existsSync(statePath)) {
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8'));
    } catch {
      throw new CliError(at(statePath, undefined, 'not valid JSON; delete it to publish as a new link'));
    }
    if (state && state.server !== base.origin) state = null;
  }
  for (const file of files) {
    if (state?.files.includes(file)) continue;
    const doc = readWritten(join(dir, file));
    if (!state) {
      const reply = await api.publish(doc);
      state = { server: base.origin, id: reply.id, token: reply.token, files: [file] };
      say(`published ${file}: ${reply.url} (owner token in ${statePath})`);
    } else {
      const reply = await api.addVersion(state.id, state.token, doc);
      state.files.push(file);
      say(`published ${file} as version ${reply.version} of ${state.id}`);
    }
    writeAtomically(statePath, JSON.stringify(state, null, 1) + '\n', true);
  }
  // The link is the point of --publish: printed even with --quiet.
  if (state) process.stdout.write(`link: ${new URL(`/r/${state.id}`, base).href}\n`);
}
