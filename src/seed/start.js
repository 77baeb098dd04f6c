// `npm start`: serves the built app with `wrangler pages dev` (R2 kept on disk under .wrangler/state) and, once it
// answers, publishes the seed results of src/seed/seeds.json through the API, so a fresh start never shows an
// empty gallery. A seed already in the gallery (same title and creation time) is not published again, so restarts
// add nothing. Ctrl-C reaches wrangler through the terminal's process group; this script then exits with it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const port = process.env.PORT || '8788';
const base = `http://127.0.0.1:${port}`;
const require = createRequire(import.meta.url);

/** @typedef {{ title: string, files: string[], commands: string[] }} SeedLink */

/** @returns {SeedLink[]} */
export function readSeeds() {
  const index = JSON.parse(readFileSync(new URL('./seeds.json', import.meta.url), 'utf8'));
  return index.links;
}

/** @param {string} file */
export function seedDocument(file) {
  return readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
}

/**
 * (title, createdAt) of every result in the gallery, which shows each result's latest version.
 * @param {string} server
 */
async function galleryKeys(server) {
  const keys = new Set();
  let cursor = '';
  for (let page = 0; page < 100; page++) {
    const res = await fetch(`${server}/api/gallery?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (!res.ok) throw new Error(`GET /api/gallery answered ${res.status}`);
    const body = /** @type {{items: Array<{title: string, createdAt: string}>, nextCursor: string | null}} */ (
      await res.json()
    );
    for (const item of body.items) keys.add(`${item.title}\n${item.createdAt}`);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return keys;
}

/**
 * @param {string} url
 * @param {string} body
 * @param {string} [token]
 */
async function post(url, body, token) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body });
  const reply = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname} answered ${res.status}: ${reply.detail ?? ''}`);
  return reply;
}

/**
 * Publishes every seed link whose latest version is not in the gallery yet; each link's files become its
 * versions, in order. Returns how many links were published.
 * @param {string} server
 */
export async function seed(server) {
  const present = await galleryKeys(server);
  let published = 0;
  for (const link of readSeeds()) {
    const last = JSON.parse(seedDocument(link.files[link.files.length - 1] ?? ''));
    if (present.has(`${last.title}\n${last.createdAt}`)) continue;
    let id = '';
    let token = '';
    for (const file of link.files) {
      const body = seedDocument(file);
      if (!id) ({ id, token } = await post(`${server}/api/results`, body));
      else await post(`${server}/api/results/${id}/versions`, body, token);
    }
    published++;
  }
  return published;
}

/**
 * Applies the gallery index's migrations (migrations/*.sql) to the local D1 under `persistTo`; D1 records which
 * ones ran, so this is a no-op once the schema is current. Throws with wrangler's output if it fails.
 * @param {string} persistTo
 */
export function applyMigrations(persistTo) {
  const wrangler = require.resolve('wrangler/bin/wrangler.js');
  const r = spawnSync(
    process.execPath,
    [wrangler, 'd1', 'migrations', 'apply', 'kleinscope-gallery', '--local', '--persist-to', persistTo],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1' },
    },
  );
  if (r.status !== 0) throw new Error(`could not apply the D1 migrations:\n${r.stdout}${r.stderr}`);
}

/**
 * @param {string} server
 * @param {import('node:child_process').ChildProcess} child
 */
async function waitUntilUp(server, child) {
  for (let i = 0; i < 240 && child.exitCode === null; i++) {
    try {
      const res = await fetch(`${server}/api/gallery?limit=1`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    applyMigrations('.wrangler/state');
  } catch (e) {
    process.stderr.write(`kleinscope: ${/** @type {Error} */ (e).message}\n`);
    process.exit(1);
  }
  const wrangler = require.resolve('wrangler/bin/wrangler.js');
  const child = spawn(
    process.execPath,
    // Any free inspector port, so a second wrangler (the tests' server) never collides with this one.
    [
      wrangler,
      'pages',
      'dev',
      'build',
      '--ip',
      '127.0.0.1',
      '--port',
      port,
      '--inspector-port',
      process.env.INSPECTOR_PORT || '0',
      '--persist-to',
      '.wrangler/state',
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    },
  );
  // The terminal's Ctrl-C reaches wrangler by itself; a signal sent to this process alone is passed on.
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
  if (await waitUntilUp(base, child)) {
    try {
      const n = await seed(base);
      process.stdout.write(
        n
          ? `kleinscope: published ${n} example result(s) to the local gallery (src/seed)\n`
          : 'kleinscope: the example results are in the local gallery\n',
      );
    } catch (e) {
      process.stderr.write(`kleinscope: could not publish the example results: ${/** @type {Error} */ (e).message}\n`);
    }
    // Last, so the address is the line a newcomer sees once the build and wrangler's start-up have scrolled by.
    process.stdout.write(`\nkleinscope: ready on ${base}/ (Ctrl-C stops the server)\n\n`);
  }
}
