import { env } from 'cloudflare:workers';
import { app } from '../../functions/app';
import type { Env } from '../../functions/env';
import { minimalDocument } from '../support/fixtures';

/** The test env: the real R2 binding, with write limits high enough that only the rate-limit test meets them. */
export const testEnv: Env = {
  ...(env as Env),
  RATE_LIMIT_WRITES: '999/600',
  RATE_LIMIT_COMPARE: '999/600',
  RATE_LIMIT_READS: '999/600',
};

export function request(path: string, init: RequestInit = {}, e: Env = testEnv): Promise<Response> {
  return Promise.resolve(app.request(path, init, e));
}

/** A deep copy of the minimal valid document with some fields replaced. */
export function doc(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(minimalDocument), ...patch };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export interface Created {
  id: string;
  version: number;
  url: string;
  token: string;
}

export async function publish(body: unknown = doc()): Promise<Created> {
  const res = await request('/api/results', json(body));
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Created;
}

export async function errorOf(res: Response): Promise<{ error: string; detail: string }> {
  return (await res.json()) as { error: string; detail: string };
}
