import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { ApiError } from '../lib/http';

/**
 * Per-IP fixed-window rate limiting kept in R2.
 *
 * Why R2: the Workers rate-limiting binding (`[[ratelimits]]`) is configured for Workers, not for Pages
 * Functions, and an in-memory counter only sees one isolate of many. R2 is already bound, is shared by every
 * isolate, and works the same under `wrangler pages dev` and in the workerd tests.
 *
 * Each limited request writes one empty marker object `ratelimit/<scope>/<ip hash>/<window>/<random>` and then
 * counts the markers of its window. Markers never conflict, so concurrent requests need no compare-and-swap:
 * the k-th marker to land always sees at least k, so no more than COUNT requests per window get through.
 * Old windows are garbage: in production an R2 lifecycle rule deletes the `ratelimit/` prefix after a day.
 * The client IP is stored only as a salted SHA-256 hash.
 */

export interface Limit {
  count: number;
  seconds: number;
}

/** R2 lists at most 1000 keys per call, and counting needs count + 1 of them. */
export const MAX_COUNT = 999;

/** "COUNT/SECONDS", e.g. "30/600"; anything else falls back to the default rather than disabling the limit. */
export function parseLimit(raw: string | undefined, fallback: Limit): Limit {
  const m = raw?.match(/^\s*(\d+)\s*\/\s*(\d+)\s*$/);
  if (!m) return fallback;
  const count = Number(m[1]);
  const seconds = Number(m[2]);
  return count > 0 && count <= MAX_COUNT && seconds > 0 ? { count, seconds } : fallback;
}

async function hashIp(ip: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`kleinscope-rl:${ip}`));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Cloudflare sets CF-Connecting-IP at its edge (clients cannot forge it there); local runs fall back. */
export function clientIp(headers: Headers): string {
  return headers.get('cf-connecting-ip') ?? headers.get('x-real-ip') ?? 'local';
}

export function rateLimit(scope: string, limitOf: (env: Env) => Limit): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const limit = limitOf(c.env);
    const now = Date.now();
    const window = Math.floor(now / (limit.seconds * 1000));
    const prefix = `ratelimit/${scope}/${await hashIp(clientIp(c.req.raw.headers))}/${window}/`;
    const marker = `${prefix}${now.toString(36)}-${crypto.randomUUID()}`;
    await c.env.RESULTS.put(marker, '');
    const seen = await c.env.RESULTS.list({ prefix, limit: limit.count + 1 });
    if (seen.objects.length > limit.count) {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * limit.seconds * 1000 - now) / 1000));
      throw new ApiError(
        429,
        'rate_limited',
        `at most ${limit.count} ${scope} requests per ${limit.seconds} s from one address; retry in ${retryAfter} s`,
        { 'Retry-After': String(retryAfter) },
      );
    }
    await next();
  };
}
