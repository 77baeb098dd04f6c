import { env } from 'cloudflare:workers';
import { expect, test } from 'vitest';
import { app } from '../../functions/app';
import type { Env } from '../../functions/env';
import pkg from '../../package.json';

const failing = (method: 'put' | 'get'): Env => {
  const bucket = (env as Env).RESULTS;
  // The real bucket, with one of its methods failing as R2 does when it is down.
  const broken = new Proxy(bucket, {
    get(target, key) {
      if (key === method) return () => Promise.reject(new Error('R2 is unavailable'));
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...(env as Env), RESULTS: broken };
};

test('GET /api/health reports ok, the version and working storage', async () => {
  const res = await app.request('/api/health', {}, env);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, version: pkg.version, storage: 'ok' });
  expect(res.headers.get('cache-control')).toBe('no-store');
});

test('GET /api/health answers 503 when storage cannot be written or read', async () => {
  for (const method of ['put', 'get'] as const) {
    const res = await app.request('/api/health', {}, failing(method));
    expect(res.status, method).toBe(503);
    const body = (await res.json()) as { ok: boolean; storage: string; error: string; detail: string };
    expect(body.ok).toBe(false);
    expect(body.storage).toBe('failing');
    expect(body.error).toBe('storage_unavailable');
    expect(body.detail).toMatch(method === 'put' ? /^write failed/ : /^read failed/);
  }
});

test('health is not rate-limited: many checks in a row all answer', async () => {
  const strict: Env = { ...(env as Env), RATE_LIMIT_READS: '2/600', CLIENT_IP_SOURCE: 'cloudflare' };
  const statuses = [];
  for (let i = 0; i < 5; i++) {
    statuses.push(
      (await app.request('/api/health', { headers: { 'cf-connecting-ip': '192.0.2.200' } }, strict)).status,
    );
  }
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
});

test('an unknown route is a JSON 404', async () => {
  const res = await app.request('/api/nope', {}, env);
  expect(res.status).toBe(404);
  const body = (await res.json()) as { error: string };
  expect(body.error).toBe('not_found');
});
