import { expect, inject, test } from 'vitest';

// What `npm start` (wrangler pages dev, which applies static/_headers and routes /api/* to the functions) answers.

test('hashed build files under /_app/immutable/ are cached for a year; the page itself is revalidated', async () => {
  const base = inject('baseURL');
  const page = await fetch(base + '/');
  expect(page.headers.get('cache-control') ?? '').not.toContain('immutable');
  const asset = (await page.text()).match(/\/_app\/immutable\/[^"']+\.js/)?.[0];
  expect(asset).toBeDefined();
  const res = await fetch(base + asset!);
  expect(res.status).toBe(200);
  const cache = res.headers.get('cache-control') ?? '';
  expect(cache).toContain('immutable');
  expect(cache).toContain('max-age=31536000');
});

test('the CSP lets the page connect only to this origin and https: (a model imported from a typed URL)', async () => {
  const base = inject('baseURL');
  const csp = (await fetch(base + '/')).headers.get('content-security-policy') ?? '';
  expect(csp.match(/connect-src ([^;]*)/)?.[1]?.trim()).toBe("'self' https:");
});

test('malformed API paths answer a JSON 404, never the app page', async () => {
  const base = inject('baseURL');
  for (const path of ['/api//health', '/api/results//versions', '/api/nope', '/api//']) {
    const res = await fetch(base + path);
    expect(res.status, path).toBe(404);
    expect(res.headers.get('content-type') ?? '', path).toContain('application/json');
    expect(((await res.json()) as { error: string }).error, path).toBe('not_found');
  }
});
