import { describe, expect, test } from 'vitest';
import { D1GalleryIndex } from '../../functions/storage/galleryIndex';
import { ResultStore } from '../../functions/storage/results';
import { validateResult } from '../../src/lib/result/validate';
import { doc, errorOf, json, publish, request, testEnv } from './support';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('POST /api/results', () => {
  test('stores a valid document and answers 201 with id, version 1, url and a one-time token', async () => {
    const res = await request('/api/results', json(doc({ title: 'first circle' })));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; version: number; url: string; token: string };
    expect(body.id).toMatch(/^[a-z2-7]{16}$/);
    expect(body.version).toBe(1);
    expect(body.url).toBe(`http://localhost/r/${body.id}`);
    // 32 random bytes in base64url: 256 bits.
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await (await testEnv.RESULTS.get(`results/${body.id}/meta.json`))!.text();
    expect(stored).not.toContain(body.token);
    expect(JSON.parse(stored).tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('two publications get different ids and tokens', async () => {
    const [a, b] = await Promise.all([publish(), publish()]);
    expect(a.id).not.toBe(b.id);
    expect(a.token).not.toBe(b.token);
  });

  test('broken JSON is a 400', async () => {
    const res = await request('/api/results', {
      method: 'POST',
      body: '{"schema": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).error).toBe('bad_json');
  });

  test('an empty body is a 400', async () => {
    const res = await request('/api/results', { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  test('a schema violation is a 422 naming the field', async () => {
    const bad = doc();
    (bad.preprocessing as Record<string, unknown>).nCore = -1;
    const res = await request('/api/results', json(bad));
    expect(res.status).toBe(422);
    const e = await errorOf(res);
    expect(e.error).toBe('invalid_document');
    expect(e.detail).toContain('preprocessing.nCore');
  });

  test('a bar that dies before it is born is refused: compare could not use the document', async () => {
    const bad = doc();
    (bad.persistence as { diagrams: Array<Array<[number, number | null]>> }).diagrams[1] = [[1, 0]];
    const res = await request('/api/results', json(bad));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).detail).toContain('persistence.diagrams.1.0');
  });

  test('an over-long title is refused, naming the field', async () => {
    const res = await request('/api/results', json(doc({ title: 'x'.repeat(201) })));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).detail).toContain('title');
  });

  test('a body over 8 MB is a 413, whether declared or streamed', async () => {
    const big = doc({ description: 'x'.repeat(8 * 1024 * 1024) });
    const declared = await request('/api/results', json(big));
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).error).toBe('too_large');

    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 9) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await request('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
    });
    expect(streamed.status).toBe(413);
  });

  test('a title with a lone surrogate is refused, so the gallery stays readable by strict JSON parsers', async () => {
    // JSON.stringify writes the lone surrogate as the escape \ud800, which JSON.parse accepts.
    const res = await request('/api/results', json(doc({ title: 'broken \ud800 title' })));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).detail).toMatch(/^title: contains a lone surrogate/);
  });

  test('only application/json is accepted: text/plain, form types and no type are a 415', async () => {
    // These are the types a page on another origin can send without a CORS preflight.
    const body = JSON.stringify(doc());
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', null]) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const res = await request('/api/results', { method: 'POST', headers, body: new TextEncoder().encode(body) });
      expect(res.status, String(type)).toBe(415);
      expect((await errorOf(res)).error).toBe('unsupported_media_type');
    }
    const ok = await request('/api/results', json(doc(), { 'content-type': 'application/json; charset=utf-8' }));
    expect(ok.status).toBe(201);
  });

  test('a non-JSON content type is a 415', async () => {
    const res = await request('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x--',
    });
    expect(res.status).toBe(415);
  });

  test('other methods are a 405 with Allow', async () => {
    const res = await request('/api/results', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await errorOf(res)).error).toBe('method_not_allowed');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('reading', () => {
  test('GET /api/results/:id returns the latest document', async () => {
    const { id } = await publish(doc({ title: 'latest one' }));
    const res = await request(`/api/results/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-kleinscope-version')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(((await res.json()) as { title: string }).title).toBe('latest one');
  });

  test('GET /api/results/:id/v/:n is cacheable: an hour while live, ETag and 304', async () => {
    const { id } = await publish();
    const res = await request(`/api/results/${id}/v/1`);
    expect(res.status).toBe(200);
    // Not immutable while the result is live: a later withdrawal must reach cached copies.
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await request(`/api/results/${id}/v/1`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await request(`/api/results/${id}/v/1`, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
    const head = await request(`/api/results/${id}/v/1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
  });

  test('a version not yet published is a 404 that no cache keeps, even for a matching ETag', async () => {
    const { id, token } = await publish();
    const etag1 = (await request(`/api/results/${id}/v/1`)).headers.get('etag')!;
    // The ETag a future version 2 will have, guessed from version 1's.
    const etag2 = etag1.replace(/1"$/, '2"');
    expect(etag2).not.toBe(etag1);
    for (const headers of [{}, { 'if-none-match': etag2 }] as Array<Record<string, string>>) {
      const early = await request(`/api/results/${id}/v/2`, { headers });
      expect(early.status).toBe(404);
      expect(early.headers.get('cache-control') ?? '').not.toContain('immutable');
      expect(early.headers.get('etag')).toBeNull();
    }
    const res = await request(`/api/results/${id}/versions`, json(doc({ title: 'v2' }), bearer(token)));
    expect(res.status).toBe(201);
    const later = await request(`/api/results/${id}/v/2`);
    expect(later.status).toBe(200);
    expect(later.headers.get('etag')).toBe(etag2);
  });

  test('unknown ids and versions are 404; malformed versions are 400', async () => {
    const { id } = await publish();
    expect((await request('/api/results/aaaaaaaaaaaaaaaa')).status).toBe(404);
    expect((await request('/api/results/not-an-id')).status).toBe(404);
    expect((await request('/api/results/aaaaaaaaaaaaaaaa/versions')).status).toBe(404);
    expect((await request(`/api/results/${id}/v/2`)).status).toBe(404);
    const bad = await request(`/api/results/${id}/v/0x1`);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).error).toBe('bad_request');
  });

  test('PUT on a result or a version is a 405', async () => {
    const { id } = await publish();
    expect((await request(`/api/results/${id}`, { method: 'PUT' })).status).toBe(405);
    expect((await request(`/api/results/${id}/v/1`, { method: 'DELETE' })).status).toBe(405);
    expect((await request(`/api/results/${id}/versions`, { method: 'PATCH' })).status).toBe(405);
  });
});

describe('versions', () => {
  test('bytes in the version list are UTF-8 bytes of the stored version', async () => {
    const { id } = await publish(doc({ title: 'Kleinflasche · 克莱因瓶 🧴'.repeat(5) }));
    const stored = await (await request(`/api/results/${id}/v/1`)).text();
    const list = (await (await request(`/api/results/${id}/versions`)).json()) as {
      versions: Array<{ bytes: number }>;
    };
    expect(list.versions[0]!.bytes).toBe(new TextEncoder().encode(stored).byteLength);
    expect(list.versions[0]!.bytes).toBeGreaterThan(stored.length);
  });

  test('the owner adds version 2; the list and latest follow', async () => {
    const { id, token } = await publish(doc({ title: 'v1' }));
    const res = await request(`/api/results/${id}/versions`, json(doc({ title: 'v2' }), bearer(token)));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id, version: 2 });
    const list = (await (await request(`/api/results/${id}/versions`)).json()) as {
      latest: number;
      withdrawn: boolean;
      versions: Array<{ version: number; createdAt: string; title: string }>;
    };
    expect(list.latest).toBe(2);
    expect(list.withdrawn).toBe(false);
    expect(list.versions.map((v) => [v.version, v.title])).toEqual([
      [1, 'v1'],
      [2, 'v2'],
    ]);
    expect(((await (await request(`/api/results/${id}`)).json()) as { title: string }).title).toBe('v2');
    expect(((await (await request(`/api/results/${id}/v/1`)).json()) as { title: string }).title).toBe('v1');
  });

  test('without a token 401, with a malformed header 401, with the wrong token 403', async () => {
    const { id } = await publish();
    const other = await publish();
    const missing = await request(`/api/results/${id}/versions`, json(doc()));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const malformed = await request(`/api/results/${id}/versions`, json(doc(), { authorization: 'Basic abc' }));
    expect(malformed.status).toBe(401);
    const wrong = await request(`/api/results/${id}/versions`, json(doc(), bearer(other.token)));
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).error).toBe('forbidden');
    const list = (await (await request(`/api/results/${id}/versions`)).json()) as { versions: unknown[] };
    expect(list.versions).toHaveLength(1);
  });

  test('a new version to an unknown result is 404, and a bad version document 422', async () => {
    const { id, token } = await publish();
    expect((await request('/api/results/aaaaaaaaaaaaaaaa/versions', json(doc(), bearer(token)))).status).toBe(404);
    const res = await request(`/api/results/${id}/versions`, json({ ...doc(), schema: 'other@1' }, bearer(token)));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).detail).toContain('schema');
  });

  test('20 parallel writers get versions 2..21, each exactly once, none lost or overwritten', async () => {
    const { id, token } = await publish(doc({ title: 'writer 0' }));
    const writers = Array.from({ length: 20 }, (_, i) =>
      request(`/api/results/${id}/versions`, json(doc({ title: `writer ${i + 1}` }), bearer(token))),
    );
    const responses = await Promise.all(writers);
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    const created = (await Promise.all(responses.map((r) => r.json()))) as Array<{ version: number }>;
    expect(created.map((c) => c.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));

    const list = (await (await request(`/api/results/${id}/versions`)).json()) as {
      latest: number;
      versions: Array<{ version: number; title: string }>;
    };
    expect(list.latest).toBe(21);
    expect(list.versions.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    // Every writer's document is stored under the number it was told, and every title appears once.
    const titles = new Set<string>();
    for (const v of list.versions) {
      const stored = (await (await request(`/api/results/${id}/v/${v.version}`)).json()) as { title: string };
      expect(stored.title).toBe(v.title);
      titles.add(stored.title);
    }
    expect(titles.size).toBe(21);
  });
});

describe('DELETE /api/results/:id', () => {
  test('only the owner withdraws; links keep working and say so', async () => {
    const { id, token } = await publish(doc({ title: 'to withdraw' }));
    const stranger = await publish();
    expect((await request(`/api/results/${id}`, { method: 'DELETE' })).status).toBe(401);
    expect((await request(`/api/results/${id}`, { method: 'DELETE', headers: bearer(stranger.token) })).status).toBe(
      403,
    );
    expect((await request(`/api/results/aaaaaaaaaaaaaaaa`, { method: 'DELETE', headers: bearer(token) })).status).toBe(
      404,
    );

    const res = await request(`/api/results/${id}`, { method: 'DELETE', headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, withdrawn: true });

    const latest = await request(`/api/results/${id}`);
    expect(latest.status).toBe(200);
    expect(latest.headers.get('x-kleinscope-withdrawn')).toBeTruthy();
    const pinned = await request(`/api/results/${id}/v/1`);
    expect(pinned.status).toBe(200);
    // A pinned version says so too, and since a withdrawal is final that answer may be cached for good.
    expect(pinned.headers.get('x-kleinscope-withdrawn')).toBe(latest.headers.get('x-kleinscope-withdrawn'));
    expect(pinned.headers.get('cache-control')).toContain('immutable');
    const list = (await (await request(`/api/results/${id}/versions`)).json()) as { withdrawn: boolean };
    expect(list.withdrawn).toBe(true);
    // Withdrawing twice is harmless.
    expect((await request(`/api/results/${id}`, { method: 'DELETE', headers: bearer(token) })).status).toBe(200);
  });

  test('a withdrawn result takes no new versions, not even from its owner', async () => {
    const { id, token } = await publish(doc({ title: 'v1' }));
    expect((await request(`/api/results/${id}`, { method: 'DELETE', headers: bearer(token) })).status).toBe(200);
    const res = await request(`/api/results/${id}/versions`, json(doc({ title: 'after' }), bearer(token)));
    expect(res.status).toBe(410);
    expect((await errorOf(res)).error).toBe('withdrawn');
    const list = (await (await request(`/api/results/${id}/versions`)).json()) as { latest: number };
    expect(list.latest).toBe(1);
    expect(await testEnv.RESULTS.head(`results/${id}/v/2.json`)).toBeNull();
  });
});

test('a version left behind by a writer that died before recording it is adopted by the next writer', async () => {
  const { id, token } = await publish(doc({ title: 'v1' }));
  // Simulate the crash: version 2 stored, metadata never updated.
  await testEnv.RESULTS.put(`results/${id}/v/2.json`, JSON.stringify(doc({ title: 'orphan' })));
  const store = new ResultStore(testEnv.RESULTS, new D1GalleryIndex(testEnv.GALLERY), 0);
  const v = validateResult(doc({ title: 'v3' }));
  if (!v.ok) throw new Error(v.message);
  expect(await store.addVersion(id, token, v.value)).toEqual({ id, version: 3 });
  const list = (await (await request(`/api/results/${id}/versions`)).json()) as {
    latest: number;
    versions: Array<{ version: number; title: string }>;
  };
  expect(list.latest).toBe(3);
  expect(list.versions.map((x) => [x.version, x.title])).toEqual([
    [1, 'v1'],
    [2, 'orphan'],
    [3, 'v3'],
  ]);
});
