/**
 * The CLI's way to a Kleinscope server: the shared API client (src/lib/api/client.ts, the one the pages use), with
 * a two-minute limit per request and its failures turned into one-line CliErrors.
 */
import { ApiError, createClient } from '../lib/api/client';
import type { Published, VersionPublished } from '../lib/api/contract';
import type { AnyDocument } from '../lib/result/validate';
import { CliError } from './errors';

/** Where `npm start` listens unless told otherwise. */
export function defaultServer(env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${env.PORT || 8788}`;
}

export function serverUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--server: '${raw}' is not a URL (e.g. http://127.0.0.1:8788)`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--server: '${raw}' must be an http or https URL`, 2);
  }
  return url;
}

/** One line for a failed call: why the server could not be reached, or what it refused and why. */
function explain(e: unknown, origin: string): unknown {
  if (!(e instanceof ApiError)) return e;
  if (e.offline) {
    const cause = e.cause as (Error & { cause?: { code?: string } }) | undefined;
    const code = cause?.cause?.code;
    const why =
      cause?.name === 'TimeoutError'
        ? 'no answer within 120 s'
        : code === 'ECONNREFUSED'
          ? 'connection refused (is `npm start` running?)'
          : (code ?? cause?.message ?? e.detail);
    return new CliError(`cannot reach ${origin}: ${why}`);
  }
  if (e.code === 'bad_response') {
    return new CliError(`the server at ${origin} did not answer with JSON (is it a Kleinscope server?)`);
  }
  // A body without an error code (a proxy's page) has only the status to name.
  const code = e.code.startsWith('http_') ? '' : ` ${e.code}`;
  return new CliError(`the server refused it: HTTP ${e.status}${code}: ${e.detail.split('\n')[0]}`);
}

export interface Server {
  origin: string;
  publish(doc: AnyDocument): Promise<Published>;
  addVersion(id: string, token: string, doc: AnyDocument): Promise<VersionPublished>;
}

export function connect(base: URL): Server {
  const client = createClient(base.origin, (input, init) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(120_000) }),
  );
  const explained = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (e) {
      throw explain(e, base.origin);
    }
  };
  return {
    origin: base.origin,
    publish: (doc) => explained(client.publish(doc)),
    addVersion: (id, token, doc) => explained(client.addVersion(id, token, doc)),
  };
}
