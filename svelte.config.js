import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A pure SPA: Cloudflare Pages serves index.html for any path that has no file
    // (there is no 404.html), so /r/<id> and /gallery load the app.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
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
