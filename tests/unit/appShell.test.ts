import { expect, test } from 'vitest';
import { isAppRoute, isShellResponse } from '../../src/lib/pwa/appShell';

test('only the routes of the app are the app shell', () => {
  for (const path of ['/', '/gallery', '/compare/', '/r/abcdefghijklmnop', '/r/abcdefghijklmnop/v/12']) {
    expect(isAppRoute(path), path).toBe(true);
  }
  for (const path of [
    '/favicon.svg',
    '/manifest.webmanifest',
    '/data/mnist.bin',
    '/service-worker.js',
    '/r/not-an-id',
    '/r/abcdefghijklmnop/v/0',
    '/gallery/x',
    '/api/health',
  ]) {
    expect(isAppRoute(path), path).toBe(false);
  }
});

test('only a full HTML answer may stand in for index.html', () => {
  // Response.type is 'default' for a constructed response; a same-origin fetch gives 'basic'.
  const basic = (body: string, init: ResponseInit) => {
    const r = new Response(body, init);
    Object.defineProperty(r, 'type', { value: 'basic' });
    return r;
  };
  expect(isShellResponse(basic('<!doctype html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }))).toBe(
    true,
  );
  expect(isShellResponse(basic('<svg/>', { headers: { 'content-type': 'image/svg+xml' } }))).toBe(false);
  expect(isShellResponse(basic('{}', { headers: { 'content-type': 'application/manifest+json' } }))).toBe(false);
  expect(isShellResponse(basic('oops', { status: 500, headers: { 'content-type': 'text/html' } }))).toBe(false);
  expect(isShellResponse(new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }))).toBe(false);
});
