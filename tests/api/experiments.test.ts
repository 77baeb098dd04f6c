import { describe, expect, test } from 'vitest';
import type { Env } from '../../functions/env';
import {
  REPLICA_RULE,
  earlyHorizon,
  encodeKernels,
  runSeedOf,
  uploadLayout,
  type CreatedExperiment,
  type ExperimentView,
  type LeaseAnswer,
  type PoolAnswer,
  type UploadAnswer,
} from '../../src/lib/api/experiments';
import { errorOf, json, request, testEnv } from './support';

/** Leases of one second, so expiry is tested in real time. */
const shortLeases: Env = { ...testEnv, EXPERIMENT_LEASE_SECONDS: '1', RATE_LIMIT_LEASES: '999/600' };
const env: Env = { ...testEnv, RATE_LIMIT_LEASES: '999/600', RATE_LIMIT_UPLOADS: '999/600' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Definition {
  title?: string;
  runs?: number;
  steps?: number[];
  replication?: number;
}

async function create(d: Definition = {}): Promise<CreatedExperiment> {
  const res = await request(
    '/api/experiments',
    json({ title: 'pool', preset: 'mnist-paper', runs: 4, steps: [0, 5], batch: 8, seed: 1, replication: 0, ...d }),
    env,
  );
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedExperiment;
}

async function view(id: string): Promise<ExperimentView> {
  const res = await request(`/api/experiments/${id}`, {}, env);
  expect(res.status).toBe(200);
  return (await res.json()) as ExperimentView;
}

async function lease(id: string, contributor?: string, e: Env = env, backend = 'wasm'): Promise<LeaseAnswer> {
  const headers: Record<string, string> = contributor ? { 'x-kleinscope-contributor': contributor } : {};
  const res = await request(`/api/experiments/${id}/lease`, json({ backend }, headers), e);
  expect([200, 201]).toContain(res.status);
  return (await res.json()) as LeaseAnswer;
}

async function leased(id: string, contributor?: string, e: Env = env, backend = 'wasm') {
  const a = await lease(id, contributor, e, backend);
  if (a.status !== 'leased') throw new Error(`expected a lease, got ${JSON.stringify(a)}`);
  return a;
}

/** A snapshot's kernels: deterministic values from (run, step, salt), every layer of mnist-paper. */
function kernels(run: number, step: number, salt = 0, scale = 0.1): Uint8Array {
  return encodeKernels(
    'mnist-paper',
    uploadLayout('mnist-paper').map((slot) => ({
      layer: slot.layer,
      data: Float32Array.from({ length: slot.floats }, (_, i) => scale * Math.sin(i * 0.37 + run + step * 0.01 + salt)),
    })),
  );
}

function upload(
  id: string,
  run: number,
  step: number,
  token: string,
  body: Uint8Array = kernels(run, step),
  e: Env = env,
  headers: Record<string, string> = {},
): Promise<Response> {
  return request(
    `/api/experiments/${id}/runs/${run}/steps/${step}`,
    {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        authorization: `Bearer ${token}`,
        'x-kleinscope-accuracy': '0.5',
        'x-kleinscope-loss': '1.25',
        ...headers,
      },
      body,
    },
    e,
  );
}

async function uploaded(id: string, run: number, step: number, token: string, body?: Uint8Array, e: Env = env) {
  const res = await upload(id, run, step, token, body, e);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as UploadAnswer;
}

async function stored(id: string): Promise<number> {
  return (await testEnv.RESULTS.list({ prefix: `experiments/${id}/` })).objects.length;
}

async function uploadRows(id: string): Promise<number> {
  const r = await testEnv.GALLERY.prepare('SELECT COUNT(*) AS n FROM experiment_uploads WHERE experiment_id = ?1')
    .bind(id)
    .first<{ n: number }>();
  return r!.n;
}

const contributorA = 'contributor-aaaaaaaaaaaa';
const contributorB = 'contributor-bbbbbbbbbbbb';

describe('POST /api/experiments', () => {
  test('creates an experiment: 201 with id, /x/ url and a one-time owner token kept only as its hash', async () => {
    const res = await request(
      '/api/experiments',
      json({ title: ' layer 1 pool ', preset: 'mnist-paper', runs: 4, steps: [0, 100, 500] }),
      env,
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as CreatedExperiment;
    expect(body.id).toMatch(/^[a-z2-7]{16}$/);
    expect(body.url).toBe(`http://localhost/x/${body.id}`);
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await testEnv.GALLERY.prepare('SELECT * FROM experiments WHERE id = ?1').bind(body.id).first();
    expect(JSON.stringify(row)).not.toContain(body.token);
    expect((row as { token_hash: string }).token_hash).toMatch(/^[0-9a-f]{64}$/);
    const v = await view(body.id);
    expect(v.experiment).toMatchObject({
      title: 'layer 1 pool',
      preset: 'mnist-paper',
      runs: 4,
      steps: [0, 100, 500],
      batch: 64,
      seed: 0,
      init: 'glorot',
      learningRate: 1e-3,
      replication: 0.1,
      closedAt: null,
    });
    expect(v.progress.runs).toEqual({ total: 4, done: 0, leased: 0, open: 4, rejected: 0 });
  });

  test.each([
    [{ runs: 0 }, 'runs'],
    [{ runs: 1001 }, 'runs'],
    [{ steps: [5, 5] }, 'steps'],
    [{ steps: [0] }, 'steps'],
    [{ steps: Array.from({ length: 33 }, (_, i) => i + 1) }, 'steps'],
    [{ steps: [10, 100_001] }, 'steps.1'],
    [{ preset: 'vgg16' }, 'preset'],
    [{ title: '' }, 'title'],
    [{ replication: 2 }, 'replication'],
    [{ init: 'pytorch' }, 'steps'],
    [{ owner: 'me' }, '(body)'],
  ])('refuses %j with a 422 naming %s', async (patch, field) => {
    const res = await request(
      '/api/experiments',
      json({ title: 't', preset: 'mnist-paper', runs: 2, steps: [0, 10], ...patch }),
      env,
    );
    expect(res.status).toBe(422);
    const e = await errorOf(res);
    expect(e.error).toBe('invalid_experiment');
    expect(e.detail.startsWith(`${field}:`)).toBe(true);
  });

  test('a non-JSON body is a 415, an oversized one a 413, broken JSON a 400', async () => {
    expect((await request('/api/experiments', { method: 'POST', body: '{}' }, env)).status).toBe(415);
    const big = json({ title: 'x'.repeat(20_000), preset: 'mnist-paper', runs: 1, steps: [1] });
    expect((await request('/api/experiments', big, env)).status).toBe(413);
    const broken = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' };
    expect((await request('/api/experiments', broken, env)).status).toBe(400);
  });

  test('an unknown experiment is a 404', async () => {
    expect((await request('/api/experiments/aaaaaaaaaaaaaaaa', {}, env)).status).toBe(404);
    expect((await request('/api/experiments/NOT-AN-ID', {}, env)).status).toBe(404);
  });
});

describe('leases and uploads', () => {
  test('a run is done only when every step is in, and counts once', async () => {
    const { id } = await create({ runs: 2 });
    const a = await leased(id, contributorA);
    expect(a.run).toBe(0);
    expect(a.seed).toBe(runSeedOf(1, 0));
    expect(a.experiment.steps).toEqual([0, 5]);
    expect((await view(id)).progress.runs).toMatchObject({ done: 0, leased: 1, open: 1 });
    const first = await uploaded(id, 0, 0, a.leaseToken);
    expect(first).toEqual({ run: 0, step: 0, received: 1, of: 2, runComplete: false });
    expect((await view(id)).progress.runs).toMatchObject({ done: 0, leased: 1 });
    const last = await uploaded(id, 0, 5, a.leaseToken);
    expect(last).toEqual({ run: 0, step: 5, received: 2, of: 2, runComplete: true });
    expect((await view(id)).progress.runs).toEqual({ total: 2, done: 1, leased: 0, open: 1, rejected: 0 });

    // An upload to a done run changes nothing.
    const again = await upload(id, 0, 5, a.leaseToken);
    expect(again.status).toBe(409);
    expect(await uploadRows(id)).toBe(2);

    const pool = (await (await request(`/api/experiments/${id}/pool`, {}, env)).json()) as PoolAnswer;
    expect(pool.runs).toEqual([
      {
        run: 0,
        seed: runSeedOf(1, 0),
        backend: 'wasm',
        replica: null,
        snapshots: [
          { step: 0, loss: 1.25, accuracy: 0.5 },
          { step: 5, loss: 1.25, accuracy: 0.5 },
        ],
      },
    ]);
    const k = await request(`/api/experiments/${id}/runs/0/steps/5`, {}, env);
    expect(k.status).toBe(200);
    expect(new Uint8Array(await k.arrayBuffer())).toEqual(kernels(0, 5));
    // A run not in the pool has no kernels to read.
    expect((await request(`/api/experiments/${id}/runs/1/steps/5`, {}, env)).status).toBe(404);
  });

  test('a duplicated upload is a 409 and stores nothing more', async () => {
    const { id } = await create({ runs: 1, steps: [0, 5, 9] });
    const a = await leased(id);
    await uploaded(id, 0, 5, a.leaseToken);
    const objects = await stored(id);
    const dup = await upload(id, 0, 5, a.leaseToken, kernels(0, 5, 1));
    expect(dup.status).toBe(409);
    expect((await errorOf(dup)).error).toBe('duplicate');
    // Two copies of the same upload at once: one is counted.
    const [x, y] = await Promise.all([upload(id, 0, 9, a.leaseToken), upload(id, 0, 9, a.leaseToken)]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    expect(await uploadRows(id)).toBe(2);
    expect(await stored(id)).toBe(objects + 1);
    expect((await view(id)).progress.runs.done).toBe(0);
  });

  test('a contributor killed mid-run: its lease expires, the run is reissued, its partial steps never count', async () => {
    const { id } = await create({ runs: 1, steps: [0, 5] });
    const killed = await leased(id, contributorA, shortLeases);
    await uploaded(id, 0, 0, killed.leaseToken, kernels(0, 0, 7), shortLeases);
    // While the lease is live, the other contributor is told to wait, not that the work is finished.
    const waiting = await lease(id, contributorB, shortLeases);
    expect(waiting.status).toBe('wait');
    await sleep(1100);
    expect((await view(id)).progress.runs).toMatchObject({ done: 0, leased: 0, open: 1 });
    const heir = await leased(id, contributorB, shortLeases);
    expect(heir.run).toBe(0);
    expect(heir.seed).toBe(killed.seed);
    // The new holder starts from nothing: the dead lease's step 0 is not its step 0.
    const first = await uploaded(id, 0, 0, heir.leaseToken, undefined, shortLeases);
    expect(first.received).toBe(1);
    // The killed contributor's token no longer holds the run.
    const late = await upload(id, 0, 5, killed.leaseToken, undefined, shortLeases);
    expect(late.status).toBe(403);
    expect((await uploaded(id, 0, 5, heir.leaseToken, undefined, shortLeases)).runComplete).toBe(true);
    const k = await request(`/api/experiments/${id}/runs/0/steps/0`, {}, env);
    expect(new Uint8Array(await k.arrayBuffer())).toEqual(kernels(0, 0));
    expect((await view(id)).progress.runs).toEqual({ total: 1, done: 1, leased: 0, open: 0, rejected: 0 });
    expect((await lease(id, contributorA, shortLeases)).status).toBe('finished');
  });

  test('a lease given back opens its run at once; its steps never count; only its holder gives it back', async () => {
    const { id } = await create({ runs: 1 });
    const a = await leased(id, contributorA);
    await uploaded(id, 0, 0, a.leaseToken);
    const release = (token: string, run = 0) =>
      request(
        `/api/experiments/${id}/runs/${run}/lease`,
        { method: 'DELETE', headers: { authorization: `Bearer ${token}` } },
        env,
      );
    expect((await release('not-a-lease-token')).status).toBe(403);
    expect((await release(a.leaseToken, 3)).status).toBe(403);
    expect((await view(id)).progress.runs).toMatchObject({ leased: 1, open: 0 });
    const ok = await release(a.leaseToken);
    expect(ok.status).toBe(200);
    expect((await view(id)).progress.runs).toMatchObject({ leased: 0, open: 1 });
    // The old token holds nothing now; the same contributor gets the run again at once, from its start.
    expect((await upload(id, 0, 5, a.leaseToken)).status).toBe(403);
    const again = await leased(id, contributorA);
    expect(again.run).toBe(0);
    expect((await uploaded(id, 0, 0, again.leaseToken)).received).toBe(1);
    expect((await uploaded(id, 0, 5, again.leaseToken)).runComplete).toBe(true);
    expect((await view(id)).progress.runs).toMatchObject({ done: 1 });
  });

  test('an upload after the lease expired is a 410 and changes nothing', async () => {
    const { id } = await create({ runs: 1, steps: [0, 5] });
    const a = await leased(id, undefined, shortLeases);
    await sleep(1100);
    const late = await upload(id, 0, 0, a.leaseToken, undefined, shortLeases);
    expect(late.status).toBe(410);
    expect((await errorOf(late)).error).toBe('lease_expired');
    expect(await uploadRows(id)).toBe(0);
    expect(await stored(id)).toBe(0);
    expect((await view(id)).progress.runs).toMatchObject({ done: 0, leased: 0, open: 1 });
  });

  test('two contributors racing for the last run: one gets it, the other waits', async () => {
    const { id } = await create({ runs: 1 });
    const answers = await Promise.all([lease(id, contributorA), lease(id, contributorB)]);
    expect(answers.map((a) => a.status).sort()).toEqual(['leased', 'wait']);
    const waiting = answers.find((a) => a.status === 'wait')!;
    expect(waiting.status === 'wait' && waiting.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  test('a closed experiment takes no leases and no uploads; only the owner closes it', async () => {
    const { id, token } = await create({ runs: 2 });
    const a = await leased(id);
    const close = (auth?: string) =>
      request(
        `/api/experiments/${id}/close`,
        { method: 'POST', headers: auth ? { authorization: `Bearer ${auth}` } : {} },
        env,
      );
    expect((await close()).status).toBe(401);
    expect((await close('wrong-token')).status).toBe(403);
    const ok = await close(token);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { closed: boolean }).closed).toBe(true);
    const refused = await request(`/api/experiments/${id}/lease`, json({ backend: 'wasm' }), env);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).error).toBe('closed');
    expect((await upload(id, a.run, 0, a.leaseToken)).status).toBe(409);
    expect(await uploadRows(id)).toBe(0);
    expect((await view(id)).experiment.closedAt).not.toBeNull();
  });

  test('tampered uploads get 4xx and change nothing', async () => {
    const { id } = await create({ runs: 2 });
    const a = await leased(id, contributorA);
    const b = await leased(id, contributorB);
    expect([a.run, b.run]).toEqual([0, 1]);
    const good = kernels(0, 0);
    const nan = good.slice();
    new DataView(nan.buffer).setFloat32(4 * 100, NaN, true);
    const inf = good.slice();
    new DataView(inf.buffer).setFloat32(4 * 700, Infinity, true);
    const cases: Array<[string, Promise<Response>, number, string]> = [
      ['short body', upload(id, 0, 0, a.leaseToken, good.subarray(0, good.length - 4)), 422, 'bad_shape'],
      ['long body', upload(id, 0, 0, a.leaseToken, new Uint8Array(good.length + 4)), 413, 'too_large'],
      ['NaN', upload(id, 0, 0, a.leaseToken, nan), 422, 'not_finite'],
      ['Infinity', upload(id, 0, 0, a.leaseToken, inf), 422, 'not_finite'],
      ['run leased to another', upload(id, 1, 0, a.leaseToken), 403, 'not_leased'],
      ['made-up token', upload(id, 0, 0, 'x'.repeat(43)), 403, 'not_leased'],
      [
        'no token',
        request(`/api/experiments/${id}/runs/0/steps/0`, { method: 'PUT', body: good }, env),
        401,
        'unauthorized',
      ],
      ['step not in the experiment', upload(id, 0, 3, a.leaseToken), 422, 'bad_step'],
      ['run out of range', upload(id, 9, 0, a.leaseToken), 404, 'not_found'],
      [
        'accuracy out of range',
        upload(id, 0, 0, a.leaseToken, good, env, { 'x-kleinscope-accuracy': '2' }),
        422,
        'bad_accuracy',
      ],
      ['loss NaN', upload(id, 0, 0, a.leaseToken, good, env, { 'x-kleinscope-loss': 'NaN' }), 422, 'bad_loss'],
      [
        'wrong content type',
        upload(id, 0, 0, a.leaseToken, good, env, { 'content-type': 'application/json' }),
        415,
        'unsupported_media_type',
      ],
    ];
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect((await errorOf(res)).error, what).toBe(code);
    }
    expect(await uploadRows(id)).toBe(0);
    expect(await stored(id)).toBe(0);
    expect((await view(id)).progress.runs).toEqual({ total: 2, done: 0, leased: 2, open: 0, rejected: 0 });
    // The honest upload still goes through afterwards.
    expect((await uploaded(id, 0, 0, a.leaseToken)).received).toBe(1);
  });

  test('a bad lease request: unknown experiment 404, bad contributor name 400, no backend 422', async () => {
    const { id } = await create({ runs: 1 });
    expect((await request('/api/experiments/aaaaaaaaaaaaaaaa/lease', json({ backend: 'wasm' }), env)).status).toBe(404);
    const badName = await request(
      `/api/experiments/${id}/lease`,
      json({ backend: 'wasm' }, { 'x-kleinscope-contributor': 'short' }),
      env,
    );
    expect(badName.status).toBe(400);
    expect((await request(`/api/experiments/${id}/lease`, json({}), env)).status).toBe(422);
    expect((await view(id)).progress.runs.leased).toBe(0);
  });

  test('leases are rate-limited per client', async () => {
    const { id } = await create({ runs: 5 });
    // One client address of its own, as the edge reports it, so other tests' leases do not count against it.
    const limited: Env = { ...env, RATE_LIMIT_LEASES: '3/600', CLIENT_IP_SOURCE: 'cloudflare' };
    const client = { 'cf-connecting-ip': `203.0.113.${Math.floor(Math.random() * 250)}` };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(`/api/experiments/${id}/lease`, json({ backend: 'wasm' }, client), limited);
      statuses.push(res.status);
    }
    // Another client is not limited by the first one's leases.
    const other = { 'cf-connecting-ip': '198.51.100.7' };
    expect((await request(`/api/experiments/${id}/lease`, json({ backend: 'wasm' }, other), limited)).status).toBe(201);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect((await view(id)).progress.runs.leased).toBe(4);
  });
});

describe('replication', () => {
  async function finish(id: string, run: number, token: string, salt = 0) {
    await uploaded(id, run, 0, token, kernels(run, 0, salt));
    return uploaded(id, run, 5, token, kernels(run, 5, salt));
  }

  test('a replicated run goes to two different contributors and counts once both copies agree', async () => {
    const { id } = await create({ runs: 1, replication: 1 });
    const a = await leased(id, contributorA);
    // The same contributor never gets the second copy of its own run.
    expect((await lease(id, contributorA)).status).toBe('wait');
    const b = await leased(id, contributorB);
    expect([a.run, b.run]).toEqual([0, 0]);
    expect(a.copy).not.toBe(b.copy);
    await finish(id, 0, a.leaseToken);
    expect((await view(id)).progress.runs.done).toBe(0);
    await finish(id, 0, b.leaseToken);
    expect((await view(id)).progress).toEqual({
      runs: { total: 1, done: 1, leased: 0, open: 0, rejected: 0 },
      flaggedContributors: 0,
      replicas: { exact: 1, early: 0, unverified: 0 },
    });
    const pool = (await (await request(`/api/experiments/${id}/pool`, {}, env)).json()) as PoolAnswer;
    expect(pool.runs[0]!.replica).toEqual({
      check: 'exact',
      backends: ['wasm', 'wasm'],
      steps: [0, 5],
      distance: 0,
      bound: 0,
      agree: true,
    });
  });

  test('on one exact backend the copies must be bit for bit the same: one float apart is a mismatch', async () => {
    const { id } = await create({ runs: 1, replication: 1 });
    const a = await leased(id, contributorA, env, 'cpu');
    const b = await leased(id, contributorB, env, 'cpu');
    await finish(id, 0, a.leaseToken);
    const tweaked = kernels(0, 5);
    new DataView(tweaked.buffer).setFloat32(0, new DataView(tweaked.buffer).getFloat32(0, true) * (1 + 1e-6), true);
    await uploaded(id, 0, 0, b.leaseToken);
    await uploaded(id, 0, 5, b.leaseToken, tweaked);
    const p = (await view(id)).progress;
    expect(p.runs).toMatchObject({ done: 0, rejected: 2 });
    expect(p.flaggedContributors).toBe(2);
  });

  test('copies on two backends are compared at the early steps only: apart later is honest, apart early is not', async () => {
    // Scaled copies: relative distance |1 - s| at every step where one copy is the other times s.
    const scaled = (run: number, step: number, s: number) => kernels(run, step, 0, 0.1 * s);
    const late = earlyHorizon(1e-3) * 16;
    const agreeing = await create({ runs: 1, replication: 1, steps: [5, late] });
    const a = await leased(agreeing.id, contributorA, env, 'wasm');
    const b = await leased(agreeing.id, contributorB, env, 'webgl');
    await uploaded(agreeing.id, 0, 5, a.leaseToken, scaled(0, 5, 1));
    await uploaded(agreeing.id, 0, late, a.leaseToken, scaled(0, late, 1));
    await uploaded(agreeing.id, 0, 5, b.leaseToken, scaled(0, 5, 1 + REPLICA_RULE.earlyBound / 10));
    // As far apart as measured honest copies on two backends were by step 200 (3.9%, README).
    await uploaded(agreeing.id, 0, late, b.leaseToken, scaled(0, late, 1.04));
    expect((await view(agreeing.id)).progress).toMatchObject({
      runs: { done: 1, rejected: 0 },
      flaggedContributors: 0,
      replicas: { exact: 0, early: 1, unverified: 0 },
    });
    const pool = (await (await request(`/api/experiments/${agreeing.id}/pool`, {}, env)).json()) as PoolAnswer;
    expect(pool.runs[0]!.replica).toMatchObject({
      check: 'early',
      backends: ['wasm', 'webgl'],
      steps: [5],
      bound: REPLICA_RULE.earlyBound,
      agree: true,
    });
    expect(pool.runs[0]!.replica!.distance).toBeCloseTo(REPLICA_RULE.earlyBound / 10, 4);

    const apart = await create({ runs: 1, replication: 1, steps: [5, late] });
    const c = await leased(apart.id, contributorA, env, 'wasm');
    const d = await leased(apart.id, contributorB, env, 'cpu');
    for (const [lease, s] of [
      [c, 1],
      [d, 1 + REPLICA_RULE.earlyBound * 2],
    ] as const) {
      await uploaded(apart.id, 0, 5, lease.leaseToken, scaled(0, 5, s));
      await uploaded(apart.id, 0, late, lease.leaseToken, scaled(0, late, s));
    }
    expect((await view(apart.id)).progress).toMatchObject({ runs: { done: 0, rejected: 2 }, flaggedContributors: 2 });
  });

  test('two backends with no early step to compare: accepted, labelled unverified (not replicated on one backend)', async () => {
    const late = earlyHorizon(1e-3) * 16;
    // Step 0 is the seeded start, which anyone computes without training: it does not verify a run.
    const { id } = await create({ runs: 1, replication: 1, steps: [0, late] });
    const a = await leased(id, contributorA, env, 'wasm');
    const b = await leased(id, contributorB, env, 'webgpu');
    await finish2(id, a.leaseToken, 1);
    await finish2(id, b.leaseToken, 1.2);
    expect((await view(id)).progress).toMatchObject({
      runs: { done: 1, rejected: 0 },
      replicas: { exact: 0, early: 0, unverified: 1 },
    });
    const pool = (await (await request(`/api/experiments/${id}/pool`, {}, env)).json()) as PoolAnswer;
    expect(pool.runs[0]!.replica).toMatchObject({ check: 'unverified', steps: [], agree: true });

    async function finish2(exp: string, token: string, s: number) {
      await uploaded(exp, 0, 0, token, kernels(0, 0));
      await uploaded(exp, 0, late, token, kernels(0, late, 0, 0.1 * s));
    }
  });

  test('a contributor that finished its copy of the last run is finished there, not told to wait', async () => {
    const { id } = await create({ runs: 1, replication: 1, steps: [0, 10, 30] });
    const a = await leased(id, contributorA);
    for (const step of [0, 10, 30]) await uploaded(id, 0, step, a.leaseToken);
    expect((await lease(id, contributorA)).status).toBe('finished');
  });

  test("a replica's second copy goes first to a contributor on its first copy's backend", async () => {
    const { id } = await create({ runs: 2, replication: 1 });
    const a = await leased(id, contributorA, env, 'wasm');
    // A cpu contributor gets a fresh run rather than the second copy of run 0, which runs on wasm.
    const b = await leased(id, contributorB, env, 'cpu');
    const c = await leased(id, 'contributor-cccccccccccc', env, 'wasm');
    const d = await leased(id, 'contributor-dddddddddddd', env, 'cpu');
    expect([a, b, c, d].map((l) => [l.run, l.copy])).toEqual([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    // With nothing else left, a second copy goes to another backend rather than wait for ever.
    const other = await create({ runs: 1, replication: 1 });
    const e = await leased(other.id, contributorA, env, 'wasm');
    const f = await leased(other.id, contributorB, env, 'cpu');
    expect([e.copy, f.copy]).toEqual([0, 1]);
  });

  test('a mismatch excludes both copies, flags both contributors, reissues the run and their other runs', async () => {
    const { id } = await create({ runs: 2, replication: 0.5 });
    // Run 1 is the replicated one (floor(2 * 0.5) passes 1 there); contributor A also finishes run 0 alone.
    const a0 = await leased(id, contributorA);
    expect(a0.run).toBe(0);
    await finish(id, 0, a0.leaseToken);
    const a1 = await leased(id, contributorA);
    const b1 = await leased(id, contributorB);
    expect([a1.run, b1.run]).toEqual([1, 1]);
    await finish(id, 1, a1.leaseToken);
    await finish(id, 1, b1.leaseToken, 0.5);
    const p = (await view(id)).progress;
    expect(p.runs).toEqual({ total: 2, done: 0, leased: 0, open: 2, rejected: 3 });
    expect(p.flaggedContributors).toBe(2);
    const pool = (await (await request(`/api/experiments/${id}/pool`, {}, env)).json()) as PoolAnswer;
    expect(pool.runs).toEqual([]);
    // Flagged contributors get no more work; a new one gets the reissued runs.
    const refused = await request(
      `/api/experiments/${id}/lease`,
      json({ backend: 'wasm' }, { 'x-kleinscope-contributor': contributorA }),
      env,
    );
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).error).toBe('flagged');
    const c = await leased(id, 'contributor-cccccccccccc');
    expect(c.run).toBe(0);
  });
});

describe('outliers', () => {
  test('kernels whose norm is far outside the pool are refused, once the pool can say what is normal', async () => {
    const { id } = await create({ runs: 10, steps: [5] });
    for (let r = 0; r < 8; r++) {
      const l = await leased(id);
      await uploaded(id, l.run, 5, l.leaseToken, kernels(l.run, 5, 0, 0.1 * (1 + r * 0.02)));
    }
    const l = await leased(id);
    const res = await upload(id, l.run, 5, l.leaseToken, kernels(l.run, 5, 0, 50));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).error).toBe('outlier');
    expect((await uploaded(id, l.run, 5, l.leaseToken, kernels(l.run, 5, 0, 0.105))).runComplete).toBe(true);
    expect((await view(id)).progress.runs.done).toBe(9);
  });
});

describe('the gallery', () => {
  test('lists an experiment (kind "experiment") with its progress, updated as runs complete', async () => {
    const { id } = await create({ title: 'gallery listed pool', runs: 2, steps: [5] });
    const card = async () => {
      const res = await request('/api/gallery?kind=experiment&limit=50', {}, env);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Array<{ id: string; kind: string; progress?: unknown }> };
      return page.items.find((i) => i.id === id);
    };
    expect(await card()).toMatchObject({
      kind: 'experiment',
      progress: { total: 2, done: 0, leased: 0, open: 2, rejected: 0 },
    });
    const a = await leased(id);
    await uploaded(id, a.run, 5, a.leaseToken);
    expect((await card())?.progress).toEqual({ total: 2, done: 1, leased: 0, open: 1, rejected: 0 });
  });
});
