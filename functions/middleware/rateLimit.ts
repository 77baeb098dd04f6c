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
 * The client address is stored only as a keyed hash (HMAC with the secret RATE_LIMIT_SALT).
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

/** The salt of address hashes when RATE_LIMIT_SALT is not set: fine for a local run, public, so never for production. */
export const LOCAL_SALT = 'kleinscope-local-rate-limit-salt';

/**
 * A salted hash of an address (HMAC-SHA-256, truncated to 96 bits). The salt is a secret from the environment:
 * with a public salt, the 2^32 IPv4 addresses could be enumerated back from the stored keys.
 */
async function hashAddress(address: string, salt: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(salt),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(address));
  return Array.from(new Uint8Array(mac).slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The address a limit counts against. An IPv6 address stands for its /64: one subscriber usually holds a whole
 * /64, so per-address buckets would give one client 2^64 of them. An IPv4-mapped IPv6 address is its IPv4.
 * Anything that does not parse is kept as it is (it can only be a header set by Cloudflare, so it is rare).
 */
export function addressKey(ip: string): string {
  const text = ip.trim().toLowerCase();
  if (!text.includes(':')) return text;
  const mapped = text.match(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/);
  if (mapped) return mapped[1]!;
  const halves = text.split('%')[0]!.split('::');
  if (halves.length > 2) return text;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return text;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return text;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Where the client address comes from. Only Cloudflare's edge sets CF-Connecting-IP (it replaces whatever the
 * client sent), so the header is trusted only where CLIENT_IP_SOURCE is "cloudflare": wrangler.toml sets that
 * for the deployed production and preview environments. Anywhere else (`npm start`, `wrangler pages dev`) a
 * client could name any address, and workerd does not expose the socket's peer, so every request counts
 * against one local address.
 */
export function clientIp(headers: Headers, env: Pick<Env, 'CLIENT_IP_SOURCE'>): string {
  if (env.CLIENT_IP_SOURCE === 'cloudflare') return addressKey(headers.get('cf-connecting-ip') ?? 'unknown');
  return 'local';
}

export interface LimitOptions {
  /**
   * Give the request's place back when the answer refuses it (any 4xx but 429: a bad body, a missing or wrong
   * token, no such result), so only requests that did something count. The place is still taken while the request
   * runs, which keeps the guarantee against parallel bursts below.
   */
  refundRefused?: boolean;
}

/** A refusal: the client's request was wrong and changed nothing. 429 is the limiter's own answer. */
const refused = (status: number) => status >= 400 && status < 500 && status !== 429;

export function rateLimit(
  scope: string,
  limitOf: (env: Env) => Limit,
  options: LimitOptions = {},
): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const limit = limitOf(c.env);
    const now = Date.now();
    const window = Math.floor(now / (limit.seconds * 1000));
    const address = clientIp(c.req.raw.headers, c.env);
    const prefix = `ratelimit/${scope}/${await hashAddress(address, c.env.RATE_LIMIT_SALT || LOCAL_SALT)}/${window}/`;
    const refuse = () => {
      const retryAfter = Math.max(1, Math.ceil(((window + 1) * limit.seconds * 1000 - now) / 1000));
      return new ApiError(
        429,
        'rate_limited',
        `at most ${limit.count} ${scope} requests per ${limit.seconds} s from one address; retry in ${retryAfter} s`,
        { 'Retry-After': String(retryAfter) },
      );
    };
    const count = async () => (await c.env.RESULTS.list({ prefix, limit: limit.count + 1 })).objects.length;
    // A client already over its limit costs a list and writes nothing, so hammering the API cannot fill R2.
    if ((await count()) >= limit.count) throw refuse();
    const marker = `${prefix}${now.toString(36)}-${crypto.randomUUID()}`;
    await c.env.RESULTS.put(marker, '');
    if ((await count()) > limit.count) {
      // Lost a race at the edge of the limit. Removing the marker keeps the guarantee: every request that passes
      // keeps its marker, and the last of them to land saw all the others.
      await c.env.RESULTS.delete(marker);
      throw refuse();
    }
    if (!options.refundRefused) return next();
    try {
      await next();
    } catch (e) {
      if (e instanceof ApiError && refused(e.status)) await c.env.RESULTS.delete(marker);
      throw e;
    }
    if (refused(c.res.status)) await c.env.RESULTS.delete(marker);
  };
}

/**
 * Reads are cheap one by one, but a gallery page may list R2 up to 50 times: one limit for every read
 * (results, version lists, gallery pages), high enough for a person browsing.
 */
export const reads = rateLimit('read', (env) => parseLimit(env.RATE_LIMIT_READS, { count: 600, seconds: 600 }));
