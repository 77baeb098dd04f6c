/**
 * Calls to `/api/experiments` for the CLI (contribute, pool) and the lab's experiment page, on the contract of
 * experiments.ts. Errors are client.ts's ApiError (status 0 when the server cannot be reached).
 */
import { ApiError } from './client';
import {
  ACCURACY_HEADER,
  CONTRIBUTOR_HEADER,
  LOSS_HEADER,
  type CreateExperiment,
  type CreatedExperiment,
  type ExperimentView,
  type LeaseAnswer,
  type PoolAnswer,
  type UploadAnswer,
} from './experiments';

export interface ExperimentsClient {
  create(definition: CreateExperiment): Promise<CreatedExperiment>;
  get(id: string): Promise<ExperimentView>;
  close(id: string, ownerToken: string): Promise<void>;
  lease(id: string, backend: string, contributor?: string): Promise<LeaseAnswer>;
  upload(
    id: string,
    run: number,
    step: number,
    leaseToken: string,
    kernels: Uint8Array,
    scores: { accuracy: number; loss: number | null },
  ): Promise<UploadAnswer>;
  /** Gives a lease back before it expires: the run is open again at once, nothing uploaded under it counts. */
  release(id: string, run: number, leaseToken: string): Promise<void>;
  pool(id: string): Promise<PoolAnswer>;
  /** One accepted run's kernels at one step, as uploaded. */
  kernels(id: string, run: number, step: number): Promise<Uint8Array>;
}

export function createExperimentsClient(base = '', fetchFn: typeof fetch = (...a) => fetch(...a)): ExperimentsClient {
  const root = base.replace(/\/+$/, '') + '/api/experiments';
  const seg = encodeURIComponent;

  async function send(path: string, init?: RequestInit): Promise<Response> {
    let res: Response | undefined;
    // A kept-alive connection the server closed while a run trained (minutes between uploads) fails at once;
    // a fresh one works. Every call is safe to repeat: a repeated upload is a 409 duplicate, a repeated lease an
    // extra lease that expires unused.
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await fetchFn(root + path, init);
      } catch (e) {
        if (attempt < 2) {
          await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
          continue;
        }
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e as Error).message;
        throw new ApiError(0, 'offline', `the server at ${base || 'this origin'} could not be reached (${why})`);
      }
    }
    if (!res.ok) {
      const text = await res.text();
      let e: { error?: unknown; detail?: unknown } = {};
      try {
        e = JSON.parse(text) as typeof e;
      } catch {
        // not JSON: described by its status below
      }
      const code = typeof e.error === 'string' ? e.error : `http_${res.status}`;
      const detail = typeof e.detail === 'string' ? e.detail : `${res.status} ${res.statusText}`.trim();
      throw new ApiError(res.status, code, detail);
    }
    return res;
  }

  async function call<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await send(path, init);
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError(res.status, 'bad_response', 'the server answered with something other than JSON');
    }
  }

  const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  return {
    create: (definition) => call<CreatedExperiment>('', jsonPost(definition)),
    get: (id) => call<ExperimentView>(`/${seg(id)}`),
    close: async (id, ownerToken) => {
      await call(`/${seg(id)}/close`, { method: 'POST', headers: { authorization: `Bearer ${ownerToken}` } });
    },
    lease: (id, backend, contributor) =>
      call<LeaseAnswer>(
        `/${seg(id)}/lease`,
        jsonPost({ backend }, contributor ? { [CONTRIBUTOR_HEADER]: contributor } : {}),
      ),
    upload: (id, run, step, leaseToken, kernels, scores) =>
      call<UploadAnswer>(`/${seg(id)}/runs/${run}/steps/${step}`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/octet-stream',
          authorization: `Bearer ${leaseToken}`,
          [ACCURACY_HEADER]: String(scores.accuracy),
          ...(scores.loss !== null && Number.isFinite(scores.loss) ? { [LOSS_HEADER]: String(scores.loss) } : {}),
        },
        body: kernels as BodyInit,
      }),
    release: async (id, run, leaseToken) => {
      await call(`/${seg(id)}/runs/${run}/lease`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${leaseToken}` },
      });
    },
    pool: (id) => call<PoolAnswer>(`/${seg(id)}/pool`),
    kernels: async (id, run, step) =>
      new Uint8Array(await (await send(`/${seg(id)}/runs/${run}/steps/${step}`)).arrayBuffer()),
  };
}

/** A random contributor name (kept for the life of a process or a browser tab). */
export function newContributorName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => 'abcdefghijklmnopqrstuvwxyz234567'[b & 31]).join('');
}
