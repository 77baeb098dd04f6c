import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Copies tfjs-backend-wasm's binaries into static/tfjs-wasm/ (gitignored; WASM_URL_PREFIX in
 * src/lib/nn/backends.ts), so the app serves them from its own origin and the service worker precaches them with
 * the other static files. SvelteKit lists the static files for `$service-worker` once, in its own `config` hook,
 * which is ordered 'pre': a plain `config` hook here ran after that listing, so a first build from a clean checkout
 * shipped a service worker without the binaries (offline, the lab fell back to cpu) and only a second build had
 * them. This hook is ordered 'pre' too and comes first in the plugin list, so the copies exist before the listing.
 * It runs on every build, so the copies always match the installed package.
 */
function wasmBinaries(): Plugin {
  return {
    name: 'kleinscope-wasm-binaries',
    enforce: 'pre',
    config: {
      order: 'pre',
      handler() {
        const from = fileURLToPath(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
        const to = fileURLToPath(new URL('static/tfjs-wasm/', import.meta.url));
        mkdirSync(to, { recursive: true });
        for (const file of readdirSync(from)) if (file.endsWith('.wasm')) copyFileSync(from + file, to + file);
      },
    },
  };
}

export default defineConfig({
  plugins: [wasmBinaries(), sveltekit()],
  worker: {
    format: 'es',
    rolldownOptions: {
      output: {
        // One file per worker, listed in the service worker's precache: chunks of a worker are not, and a worker
        // started before the service worker controlled the page fetches them past it (offline, they'd be missing).
        codeSplitting: false,
        // No compression: the threaded wasm backend starts its threads from the source text of one function
        // (Function.toString), and compression rewrites its `typeof _scriptDir !== 'undefined'` into a bare
        // reference to a variable that only exists in the bundle ("e is not defined" in every thread).
        minify: { compress: false, mangle: true, codegen: { removeWhitespace: true } },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    // The same cross-origin isolation as production (static/_headers): the wasm backend's threads need it.
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
