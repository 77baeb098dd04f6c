import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import { readCappedBody } from '../lib/body';
import { ApiError, ID_PATTERN } from '../lib/http';
import { methodNotAllowed } from '../middleware/methods';
import { parseLimit, rateLimit, reads } from '../middleware/rateLimit';
import { experimentsFor, leaseSeconds } from '../storage/experiments';
import {
  ACCURACY_HEADER,
  CONTRIBUTOR_HEADER,
  CONTRIBUTOR_PATTERN,
  LOSS_HEADER,
  createExperimentSchema,
  leaseRequestSchema,
  uploadBytes,
  type CreatedExperiment,
  type ExperimentView,
} from '../../src/lib/api/experiments';

type Ctx = Context<{ Bindings: Env }>;

const writes = rateLimit('write', (env) => parseLimit(env.RATE_LIMIT_WRITES, { count: 30, seconds: 600 }));
/** Leases per client: one contributor trains a run in minutes, so a burst of leases is hoarding, not work. */
const leases = rateLimit('lease', (env) => parseLimit(env.RATE_LIMIT_LEASES, { count: 60, seconds: 600 }));
const uploads = rateLimit('upload', (env) => parseLimit(env.RATE_LIMIT_UPLOADS, { count: 600, seconds: 600 }));

/** The largest JSON body of a create or lease request. */
const MAX_JSON_BYTES = 16 * 1024;

const store = (c: Ctx) => experimentsFor(c.env);
const pageUrl = (c: Ctx, id: string) => `${new URL(c.req.url).origin}/x/${id}`;

function checkId(raw: string): string {
  if (!ID_PATTERN.test(raw)) throw new ApiError(404, 'not_found', `no experiment '${raw.slice(0, 40)}'`);
  return raw;
}

function natural(raw: string, what: string): number {
  if (!/^(0|[1-9][0-9]{0,8})$/.test(raw)) {
    throw new ApiError(400, 'bad_request', `${what} must be a non-negative integer, got '${raw.slice(0, 20)}'`);
  }
  return Number(raw);
}

function bearer(c: Ctx, what: string): string {
  const m = (c.req.header('authorization') ?? '').match(/^Bearer\s+([A-Za-z0-9_-]{1,200})\s*$/i);
  if (!m) {
    throw new ApiError(401, 'unauthorized', `this needs ${what}: Authorization: Bearer <token>`, {
      'WWW-Authenticate': 'Bearer',
    });
  }
  return m[1]!;
}

/** Reads a body up to `max` bytes (413 past it, declared or streamed). */
const readBytes = (req: Request, max: number) => readCappedBody(req, max, () => tooLarge(max));

const tooLarge = (max: number) => new ApiError(413, 'too_large', `the body is larger than ${max} bytes`);

async function readJson(c: Ctx): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  const bytes = await readBytes(c.req.raw, MAX_JSON_BYTES);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new ApiError(400, 'bad_json', 'the body is not valid JSON');
  }
}

function invalid(issue: { path: PropertyKey[]; message: string }): ApiError {
  const field = issue.path.map(String).join('.') || '(body)';
  return new ApiError(422, 'invalid_experiment', `${field}: ${issue.message}`);
}

export const experiments = new Hono<{ Bindings: Env }>();

experiments.post('/', writes, async (c) => {
  const parsed = createExperimentSchema.safeParse(await readJson(c));
  if (!parsed.success) throw invalid(parsed.error.issues[0]!);
  const { id, token } = await store(c).create(parsed.data);
  c.header('Location', `/api/experiments/${id}`);
  c.header('Cache-Control', 'no-store');
  const body: CreatedExperiment = { id, url: pageUrl(c, id), token };
  return c.json(body, 201);
});
experiments.all('/', methodNotAllowed('POST'));

experiments.get('/:id', reads, async (c) => {
  const id = checkId(c.req.param('id'));
  const s = store(c);
  const experiment = await s.definition(id);
  const body: ExperimentView = {
    experiment,
    progress: await s.progress(id, experiment),
    url: pageUrl(c, id),
    leaseSeconds: leaseSeconds(c.env),
  };
  c.header('Cache-Control', 'no-store');
  return c.json(body);
});
experiments.all('/:id', methodNotAllowed('GET, HEAD'));

experiments.post('/:id/close', writes, async (c) => {
  const id = checkId(c.req.param('id'));
  const experiment = await store(c).close(id, bearer(c, 'the owner token'));
  return c.json({ id, closed: true, closedAt: experiment.closedAt });
});
experiments.all('/:id/close', methodNotAllowed('POST'));

experiments.post('/:id/lease', leases, async (c) => {
  const id = checkId(c.req.param('id'));
  const parsed = leaseRequestSchema.safeParse(await readJson(c));
  if (!parsed.success) throw invalid(parsed.error.issues[0]!);
  const name = c.req.header(CONTRIBUTOR_HEADER) ?? null;
  if (name !== null && !CONTRIBUTOR_PATTERN.test(name)) {
    throw new ApiError(400, 'bad_request', `${CONTRIBUTOR_HEADER} must be 16 to 64 characters of [A-Za-z0-9_-]`);
  }
  const answer = await store(c).lease(id, name, parsed.data.backend);
  c.header('Cache-Control', 'no-store');
  if (answer.status === 'wait') c.header('Retry-After', String(answer.retryAfterSeconds));
  return c.json(answer, answer.status === 'leased' ? 201 : 200);
});
experiments.all('/:id/lease', methodNotAllowed('POST'));

experiments.put('/:id/runs/:run/steps/:step', uploads, async (c) => {
  const id = checkId(c.req.param('id'));
  const run = natural(c.req.param('run'), 'run');
  const step = natural(c.req.param('step'), 'step');
  const token = bearer(c, 'the lease token');
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/octet-stream\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'send the kernels as application/octet-stream (float32 LE)');
  }
  const accuracy = Number(c.req.header(ACCURACY_HEADER) ?? NaN);
  if (!(accuracy >= 0 && accuracy <= 1)) {
    throw new ApiError(422, 'bad_accuracy', `${ACCURACY_HEADER} must be the test accuracy, a number in [0, 1]`);
  }
  const lossRaw = c.req.header(LOSS_HEADER);
  const loss = lossRaw === undefined || lossRaw === '' ? null : Number(lossRaw);
  if (loss !== null && !Number.isFinite(loss)) {
    throw new ApiError(422, 'bad_loss', `${LOSS_HEADER} must be a finite number or absent`);
  }
  const s = store(c);
  // The largest body of any preset bounds the read before the experiment's own size is checked.
  const def = await s.definition(id);
  const body = await readBytes(c.req.raw, uploadBytes(def.preset));
  const answer = await s.upload(id, run, step, token, body, { accuracy, loss });
  return c.json(answer, 201);
});
/** A contributor gives its lease back (it stopped, or lost an upload): the run is open again without waiting. */
experiments.delete('/:id/runs/:run/lease', uploads, async (c) => {
  const id = checkId(c.req.param('id'));
  const run = natural(c.req.param('run'), 'run');
  await store(c).release(id, run, bearer(c, 'the lease token'));
  return c.json({ run, released: true });
});
experiments.all('/:id/runs/:run/lease', methodNotAllowed('DELETE'));

experiments.get('/:id/runs/:run/steps/:step', reads, async (c) => {
  const id = checkId(c.req.param('id'));
  const run = natural(c.req.param('run'), 'run');
  const step = natural(c.req.param('step'), 'step');
  const body = await store(c).kernels(id, run, step);
  c.header('Content-Type', 'application/octet-stream');
  // An accepted run's kernels can still be excluded later (a flagged contributor), so caches revalidate.
  c.header('Cache-Control', 'no-cache');
  return c.body(body);
});
experiments.all('/:id/runs/:run/steps/:step', methodNotAllowed('GET, HEAD, PUT'));

experiments.get('/:id/pool', reads, async (c) => {
  const id = checkId(c.req.param('id'));
  c.header('Cache-Control', 'no-store');
  return c.json(await store(c).pool(id));
});
experiments.all('/:id/pool', methodNotAllowed('GET, HEAD'));
