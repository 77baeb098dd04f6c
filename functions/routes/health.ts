import { Hono } from 'hono';
import type { Env } from '../env';
import pkg from '../../package.json';
import { methodNotAllowed } from '../middleware/methods';

/** The one object the probe writes and reads back: a fixed key, so probing never grows the bucket. */
export const PROBE_KEY = 'health/probe';

/**
 * Whether storage answers a write and then a read of what was written: a tiny put and get of one fixed key,
 * cheap enough to run on every health check. Health is not rate-limited, because the limiter itself writes to
 * storage and would turn a storage failure into a 500 before the probe could report it.
 */
async function probeStorage(bucket: R2Bucket): Promise<{ ok: true } | { ok: false; detail: string }> {
  const stamp = new Date().toISOString();
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      throw new Error(`${what} failed: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`);
    }
  };
  try {
    await step('write', () => bucket.put(PROBE_KEY, stamp));
    const read = await step('read', () => bucket.get(PROBE_KEY));
    // Another probe may have written in between, so any stamp will do; an absent object means the write was lost.
    if (!read) return { ok: false, detail: 'read failed: the probe just written is missing' };
    await read.text();
    return { ok: true };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

export const health = new Hono<{ Bindings: Env }>();

health.get('/', async (c) => {
  c.header('Cache-Control', 'no-store');
  const storage = await probeStorage(c.env.RESULTS);
  if (storage.ok) return c.json({ ok: true, version: pkg.version, storage: 'ok' });
  return c.json(
    { ok: false, version: pkg.version, storage: 'failing', error: 'storage_unavailable', detail: storage.detail },
    503,
  );
});
health.all('/', methodNotAllowed('GET, HEAD'));
