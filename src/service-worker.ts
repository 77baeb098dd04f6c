/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />

// Offline use. The app shell, every build chunk (tfjs backends included, they are bundled chunks) and the static
// files (MNIST's binary included) are precached per build version, so the lab opens and trains with no network.
// Published results are cached in a separate, version-independent cache so that a page visited before stays
// readable offline even after the app updates.
import { build, files, version } from '$service-worker';
import { isAppRoute, isShellResponse } from '$lib/pwa/appShell';

const sw = self as unknown as ServiceWorkerGlobalScope;

const APP_CACHE = `kleinscope-app-${version}`;
const API_CACHE = 'kleinscope-api';
// The SPA's single page: every navigation falls back to it when offline.
const SHELL = '/';
const PRECACHE = [SHELL, ...build, ...files];
const immutable = new Set(PRECACHE);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(APP_CACHE);
      await cache.addAll(PRECACHE);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== APP_CACHE && key !== API_CACHE) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

/** Network first; the fresh answer replaces the cached one, and the cache answers only when the network fails. */
async function networkFirst(request: Request, cacheName: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw err;
  }
}

/** Network first for a route of the app; only an HTML answer replaces the stored shell, any other is passed on. */
async function shellFirstFromNetwork(request: Request): Promise<Response> {
  const cache = await caches.open(APP_CACHE);
  try {
    const response = await fetch(request);
    if (isShellResponse(response)) await cache.put(SHELL, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(SHELL);
    if (cached) return cached;
    throw err;
  }
}

/** Cache first for files whose URL changes with their content (and for the precached static files). */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(APP_CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Chunks that the precache list does not name (a worker bundle, say) are kept once they have been fetched.
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;

  if (url.pathname.startsWith('/api/')) {
    // Only published documents are worth keeping; the gallery and compare answers go stale and are left alone.
    if (url.pathname.startsWith('/api/results/')) event.respondWith(networkFirst(request, API_CACHE));
    return;
  }
  if (request.mode === 'navigate') {
    // Any route of the SPA (/, /r/<id>, /gallery) is the same index.html: keep the newest copy under '/'. Other
    // paths go to the network untouched: a file opened directly must never become the offline shell.
    if (isAppRoute(url.pathname)) event.respondWith(shellFirstFromNetwork(request));
    return;
  }
  if (immutable.has(url.pathname) || url.pathname.startsWith('/_app/immutable/')) {
    event.respondWith(cacheFirst(request));
  }
});
