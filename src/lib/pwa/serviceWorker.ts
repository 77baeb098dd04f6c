import { dev } from '$app/environment';

/**
 * Registers SvelteKit's service worker (svelte.config.js turns its automatic registration off so that the app
 * decides when). Not in dev: vite serves modules one by one there, and a cache-first worker would pin stale ones.
 * Failure is not an error for the page: the app works online without it, it only loses offline use.
 */
export function registerServiceWorker(): void {
  if (dev || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/service-worker.js').catch((e: unknown) => {
    console.warn('Kleinscope: offline use is unavailable (service worker not registered):', e);
  });
}
