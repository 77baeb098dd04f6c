import { env } from 'cloudflare:workers';
import { expect, test } from 'vitest';
import { app } from '../../functions/app';
import pkg from '../../package.json';

test('GET /api/health reports ok and the version', async () => {
  const res = await app.request('/api/health', {}, env);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, version: pkg.version });
});

test('an unknown route is a JSON 404', async () => {
  const res = await app.request('/api/nope', {}, env);
  expect(res.status).toBe(404);
  const body = (await res.json()) as { error: string };
  expect(body.error).toBe('not_found');
});
