import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A pure SPA: Cloudflare Pages serves index.html for any path that has no file
    // (there is no 404.html), so /r/<id> and /gallery load the app.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // The page's script policy, as a <meta> that SvelteKit fills with the hash of its one inline bootstrap script
    // (it changes with every build, so static/_headers cannot name it). static/_headers adds what a <meta> cannot
    // carry (frame-ancestors) and the rest of the policy; a browser enforces both, so a script must pass each.
    csp: {
      mode: 'hash',
      directives: {
        'script-src': ['self', 'wasm-unsafe-eval', 'blob:'],
        'object-src': ['none'],
        'base-uri': ['self'],
      },
    },
    serviceWorker: {
      register: false,
      // _headers is read by Cloudflare Pages, never served: precaching it would fail the worker's install.
      files: (file) => file !== '_headers' && !file.endsWith('.DS_Store'),
    },
    typescript: {
      // The API and its tests run in workerd with its own globals; functions/tsconfig.json checks them.
      config(tsconfig) {
        tsconfig.exclude.push('../tests/api/**');
      },
    },
  },
};

export default config;
