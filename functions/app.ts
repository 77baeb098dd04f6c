import { Hono } from 'hono';
import type { Env } from './env';
import pkg from '../package.json';

/** The whole API, mounted at /api. Pages calls it through functions/api/[[route]].ts, the tests call app.request(). */
export const app = new Hono<{ Bindings: Env }>().basePath('/api');

app.get('/health', (c) => c.json({ ok: true, version: pkg.version }));

app.notFound((c) => c.json({ error: 'not_found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404));

app.onError((err, c) => {
  // Never leak a stack trace; the detail is logged for the operator only.
  console.error(err);
  return c.json({ error: 'internal', detail: 'the server failed to handle this request' }, 500);
});
