import { Hono } from 'hono';
import type { Env } from './env';
import { ApiError, errorResponse } from './lib/http';
import { compare } from './routes/compare';
import { experiments } from './routes/experiments';
import { gallery } from './routes/gallery';
import { health } from './routes/health';
import { results } from './routes/results';

/** The whole API, mounted at /api. Pages calls it through functions/api/[[route]].ts, the tests call app.request(). */
export const app = new Hono<{ Bindings: Env }>().basePath('/api');

// Every answer is JSON or nothing: browsers must never sniff a stored document into HTML.
app.use('*', async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
});

app.route('/health', health);
app.route('/results', results);
app.route('/gallery', gallery);
app.route('/compare', compare);
app.route('/experiments', experiments);

app.notFound((c) => c.json({ error: 'not_found', detail: `no route for ${c.req.method} ${c.req.path}` }, 404));

app.onError((err, c) => {
  if (err instanceof ApiError) return errorResponse(c, err);
  // Never leak a stack trace; the detail is logged for the operator only.
  console.error(err);
  return c.json({ error: 'internal', detail: 'the server failed to handle this request' }, 500);
});
