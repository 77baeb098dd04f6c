import { expect, test } from 'vitest';
import { parseLimit } from '../../functions/middleware/rateLimit';
import { doc, errorOf, json, request, testEnv } from './support';

const strict = { ...testEnv, RATE_LIMIT_WRITES: '3/600', RATE_LIMIT_COMPARE: '2/600' };

test('writes past the per-IP limit get 429 with Retry-After; another address is unaffected', async () => {
  const from = (ip: string) => json(doc(), { 'cf-connecting-ip': ip });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await request('/api/results', from('203.0.113.7'), strict)).status);
  expect(statuses).toEqual([201, 201, 201, 429]);
  const limited = await request('/api/results', from('203.0.113.7'), strict);
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await errorOf(limited)).error).toBe('rate_limited');
  expect((await request('/api/results', from('198.51.100.1'), strict)).status).toBe(201);
});

test('parallel requests cannot slip past the limit', async () => {
  const from = json(doc(), { 'cf-connecting-ip': '203.0.113.99' });
  const statuses = await Promise.all(
    Array.from({ length: 10 }, () => request('/api/results', { ...from }, strict).then((r) => r.status)),
  );
  // A burst may be refused more than needed, never less: at most 3 get through, the rest are 429.
  const passed = statuses.filter((s) => s === 201).length;
  expect(passed).toBeLessThanOrEqual(3);
  expect(statuses.filter((s) => s === 429)).toHaveLength(10 - passed);
  expect((await request('/api/results', { ...from }, strict)).status).toBe(429);
});

test('comparisons have their own limit; reads are not limited', async () => {
  const headers = { 'cf-connecting-ip': '192.0.2.5' };
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await request('/api/compare?a=aaaaaaaaaaaaaaaa&b=aaaaaaaaaaaaaaaa', { headers }, strict)).status);
  }
  expect(statuses).toEqual([404, 404, 429]);
  for (let i = 0; i < 5; i++) expect((await request('/api/gallery', { headers }, strict)).status).toBe(200);
});

test('limits are read as COUNT/SECONDS, and nonsense falls back to the default', () => {
  const fallback = { count: 30, seconds: 600 };
  expect(parseLimit('5/60', fallback)).toEqual({ count: 5, seconds: 60 });
  expect(parseLimit(undefined, fallback)).toEqual(fallback);
  expect(parseLimit('0/60', fallback)).toEqual(fallback);
  expect(parseLimit('lots', fallback)).toEqual(fallback);
  expect(parseLimit('5000/60', fallback)).toEqual(fallback);
});
