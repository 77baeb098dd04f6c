import { handle } from 'hono/cloudflare-pages';
import { app } from './app';

const api = handle(app);

/**
 * Every /api/ path goes to the API, whether or not a file route matches it: a path such as `/api//health` matches
 * no route pattern (the empty segment), and would otherwise fall through to the app's HTML. The API answers such
 * a path with its JSON 404. Everything else is served as before.
 */
export const onRequest: typeof api = (ctx) =>
  new URL(ctx.request.url).pathname.startsWith('/api/') ? api(ctx) : ctx.next();
