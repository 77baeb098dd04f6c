import { expect, test } from 'vitest';
import { addressKey, parseLimit } from '../../functions/middleware/rateLimit';
import type { Env } from '../../functions/env';
import { doc, errorOf, json, request, testEnv } from './support';

/** Behind Cloudflare, where CF-Connecting-IP is set by the edge and so can be trusted. */
const strict: Env = {
  ...testEnv,
  CLIENT_IP_SOURCE: 'cloudflare',
  RATE_LIMIT_WRITES: '3/600',
  RATE_LIMIT_COMPARE: '2/600',
  RATE_LIMIT_READS: '4/600',
};

const markers = async () => {
  let n = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await testEnv.RESULTS.list({ prefix: 'ratelimit/', limit: 1000, ...(cursor ? { cursor } : {}) });
    n += page.objects.length;
    if (!page.truncated) return n;
    cursor = page.cursor;
  }
};

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

test('a rejected request writes nothing', async () => {
  const from = json(doc(), { 'cf-connecting-ip': '203.0.113.50' });
  for (let i = 0; i < 3; i++) expect((await request('/api/results', { ...from }, strict)).status).toBe(201);
  const before = await markers();
  for (let i = 0; i < 5; i++) expect((await request('/api/results', { ...from }, strict)).status).toBe(429);
  expect(await markers()).toBe(before);
});

test('parallel requests cannot slip past the limit', async () => {
  const from = json(doc(), { 'cf-connecting-ip': '203.0.113.99' });
  const before = await markers();
  const statuses = await Promise.all(
    Array.from({ length: 10 }, () => request('/api/results', { ...from }, strict).then((r) => r.status)),
  );
  // A burst may be refused more than needed, never less: at most 3 get through, the rest are 429.
  const passed = statuses.filter((s) => s === 201).length;
  expect(passed).toBeLessThanOrEqual(3);
  expect(statuses.filter((s) => s === 429)).toHaveLength(10 - passed);
  // Refused requests that raced in removed their markers: only those of the requests that passed remain.
  expect((await markers()) - before).toBe(passed);
  // So a burst refused more than needed leaves its unused room to the requests that follow, and no more.
  const after = [];
  for (let i = passed; i < 4; i++) after.push((await request('/api/results', { ...from }, strict)).status);
  expect(after).toEqual([...Array<number>(3 - passed).fill(201), 429]);
});

test('outside Cloudflare client address headers are ignored: every request counts against one address', async () => {
  // A salt of its own gives this test a bucket no other request of the run has touched.
  const salt = crypto.randomUUID();
  const local: Env = { ...strict, CLIENT_IP_SOURCE: undefined, RATE_LIMIT_COMPARE: '3/600', RATE_LIMIT_SALT: salt };
  const statuses = [];
  for (const [i, header] of ['cf-connecting-ip', 'x-real-ip', 'x-forwarded-for', 'cf-connecting-ip'].entries()) {
    const headers = { [header]: `192.0.2.${100 + i}` };
    statuses.push((await request('/api/compare?a=aaaaaaaaaaaaaaaa&b=aaaaaaaaaaaaaaaa', { headers }, local)).status);
  }
  expect(statuses).toEqual([404, 404, 404, 429]);
});

test('an IPv6 /64 is one address', async () => {
  const compare = (ip: string) =>
    request('/api/compare?a=aaaaaaaaaaaaaaaa&b=aaaaaaaaaaaaaaaa', { headers: { 'cf-connecting-ip': ip } }, strict);
  expect((await compare('2001:db8:7:1::1')).status).toBe(404);
  expect((await compare('2001:0db8:0007:0001:ffff:1:2:3')).status).toBe(404);
  expect((await compare('2001:db8:7:1:abcd::9')).status).toBe(429);
  // The next /64 has its own bucket.
  expect((await compare('2001:db8:7:2::1')).status).toBe(404);
});

test('addresses: IPv6 grouped by /64 whatever the spelling, IPv4 and IPv4-mapped as they are', () => {
  expect(addressKey('2001:db8:7:1::1')).toBe('2001:db8:7:1::/64');
  expect(addressKey('2001:0DB8:0007:0001:ffff:0:0:1')).toBe('2001:db8:7:1::/64');
  expect(addressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
  expect(addressKey('::1')).toBe('0:0:0:0::/64');
  expect(addressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
  expect(addressKey('198.51.100.4')).toBe('198.51.100.4');
  expect(addressKey('not an address')).toBe('not an address');
});

test('comparisons and reads have their own limits', async () => {
  const headers = { 'cf-connecting-ip': '192.0.2.5' };
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await request('/api/compare?a=aaaaaaaaaaaaaaaa&b=aaaaaaaaaaaaaaaa', { headers }, strict)).status);
  }
  expect(statuses).toEqual([404, 404, 429]);
  const reads = [];
  for (const path of [
    '/api/gallery',
    '/api/results/aaaaaaaaaaaaaaaa',
    '/api/gallery',
    '/api/gallery',
    '/api/gallery',
  ]) {
    reads.push((await request(path, { headers }, strict)).status);
  }
  expect(reads).toEqual([200, 404, 200, 200, 429]);
});

test('address hashes are keyed by the secret salt from the environment', async () => {
  const keysFor = async (salt: string | undefined) => {
    const e: Env = { ...strict, RATE_LIMIT_SALT: salt, RATE_LIMIT_COMPARE: '50/600' };
    await request(
      '/api/compare?a=aaaaaaaaaaaaaaaa&b=aaaaaaaaaaaaaaaa',
      { headers: { 'cf-connecting-ip': '192.0.2.77' } },
      e,
    );
    const listed = await testEnv.RESULTS.list({ prefix: 'ratelimit/compare/' });
    return new Set(listed.objects.map((o) => o.key.split('/')[2]));
  };
  const one = await keysFor('first secret');
  const two = await keysFor('second secret');
  const fresh = [...two].filter((k) => !one.has(k));
  expect(fresh).toHaveLength(1);
  expect(await keysFor('first secret')).toEqual(two);
});

test('limits are read as COUNT/SECONDS, and nonsense falls back to the default', () => {
  const fallback = { count: 30, seconds: 600 };
  expect(parseLimit('5/60', fallback)).toEqual({ count: 5, seconds: 60 });
  expect(parseLimit(undefined, fallback)).toEqual(fallback);
  expect(parseLimit('0/60', fallback)).toEqual(fallback);
  expect(parseLimit('lots', fallback)).toEqual(fallback);
  expect(parseLimit('5000/60', fallback)).toEqual(fallback);
});

test('30 cross-site no-cors text/plain POSTs spend none of the write quota: a real publish from the address passes', async () => {
  const ip = '203.0.113.120';
  // What a page on another site can send without a CORS preflight: a simple content type, no Authorization.
  const crossSite = (): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example', 'cf-connecting-ip': ip },
    body: JSON.stringify(doc()),
  });
  for (let i = 0; i < 30; i++) {
    const path = i % 2 ? '/api/results' : '/api/results/aaaaaaaaaaaaaaaa/versions';
    expect((await request(path, crossSite(), strict)).status).toBe(415);
  }
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await request('/api/results', json(doc(), { 'cf-connecting-ip': ip }), strict)).status);
  }
  expect(statuses).toEqual([201, 201, 201]);
});

test('refused writes (400, 401, 403, 404, 422) do not count against the write quota; successful ones do', async () => {
  const ip = '203.0.113.121';
  const from = { 'cf-connecting-ip': ip };
  const own = await request('/api/results', json(doc(), from), strict);
  expect(own.status).toBe(201);
  const { id, token } = (await own.json()) as { id: string; token: string };
  const refused: [string, RequestInit, number][] = [
    ['/api/results', { method: 'POST', headers: { 'content-type': 'application/json', ...from }, body: '{' }, 400],
    ['/api/results', json(doc({ schema: 'nope' }), from), 422],
    [`/api/results/${id}/versions`, json(doc(), { ...from, authorization: 'Bearer !' }), 401],
    [`/api/results/${id}/versions`, json(doc(), { ...from, authorization: 'Bearer wrong-token' }), 403],
    [`/api/results/${id}`, { method: 'DELETE', headers: { ...from, authorization: 'Bearer wrong-token' } }, 403],
    ['/api/results/aaaaaaaaaaaaaaaa/versions', json(doc(), { ...from, authorization: `Bearer ${token}` }), 404],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [path, init, status] of refused) expect((await request(path, init, strict)).status, path).toBe(status);
  }
  // One of three writes spent; two remain, then the limit holds.
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await request('/api/results', json(doc(), from), strict)).status);
  expect(statuses).toEqual([201, 201, 429]);
});
