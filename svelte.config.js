import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A SPA with one index.html. Pages answers a path that has no file with static/404.html and status 404;
    // static/_redirects rewrites the app's routes (/gallery, /compare, /r/<id>, /r/<id>/v/<n>) to index.html.
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
      // _headers and _redirects are read by Cloudflare Pages, never served: precaching them would fail the
      // worker's install. 404.html is what the server answers for unknown paths, never the app.
      files: (file) => !['_headers', '_redirects', '404.html'].includes(file) && !file.endsWith('.DS_Store'),
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
