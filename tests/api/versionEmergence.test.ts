import { expect, test } from 'vitest';
import type { VersionEntry } from '../../src/lib/result/summary';
import { doc, json, publish, request, testEnv } from './support';

/** A training snapshot: the minimal document at a step and layer, with two H1 bars of the given lengths. */
const snapshot = (step: number, longest: number) => {
  const d = doc() as ReturnType<typeof doc> & { source: Record<string, unknown>; persistence: { diagrams: unknown } };
  d.source = { ...d.source, step, layer: 2 };
  d.persistence = {
    ...d.persistence,
    diagrams: [
      [[0, null]],
      [
        [0, longest],
        [0.5, 1],
      ],
    ],
  };
  return d;
};

const versionsOf = async (id: string) => {
  const res = await request(`/api/results/${id}/versions`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { versions: VersionEntry[] }).versions;
};

test('each version in the list carries its step, layer and bars, so the plot needs no document', async () => {
  const { id, token } = await publish(snapshot(100, 2));
  const added = await request(
    `/api/results/${id}/versions`,
    json(snapshot(200, 4), { authorization: `Bearer ${token}` }),
  );
  expect(added.status).toBe(201);
  const versions = await versionsOf(id);
  expect(versions.map((v) => v.emergence)).toMatchObject([
    { step: 100, layer: 2, longest: 2, next: 0.5, loops: 0, nearAxes: 0.33, core: 3 },
    { step: 200, layer: 2, longest: 4, next: 0.5, loops: 0, nearAxes: 0.33, core: 3 },
  ]);
  // The verdict comes with each point (these documents were not resampled: one sample, no interval).
  for (const v of versions) expect(v.emergence).toMatchObject({ resampled: false, low: null, high: null });
});

test('versions stored before the list carried points get them on the server, once', async () => {
  const { id, token } = await publish(snapshot(100, 2));
  await request(`/api/results/${id}/versions`, json(snapshot(200, 4), { authorization: `Bearer ${token}` }));
  // Make the stored metadata look like an old result's: no points.
  const key = `results/${id}/meta.json`;
  const meta = (await (await testEnv.RESULTS.get(key))!.json()) as { versions: VersionEntry[] };
  for (const v of meta.versions) delete v.emergence;
  await testEnv.RESULTS.put(key, JSON.stringify(meta));

  const versions = await versionsOf(id);
  expect(versions.map((v) => v.emergence?.step)).toEqual([100, 200]);
  // Stored, so the next list reads no version: remove the documents and the points are still there.
  const stored = (await (await testEnv.RESULTS.get(key))!.json()) as { versions: VersionEntry[] };
  expect(stored.versions.map((v) => v.emergence?.longest)).toEqual([2, 4]);
  await testEnv.RESULTS.delete([`results/${id}/v/1.json`, `results/${id}/v/2.json`]);
  expect((await versionsOf(id)).map((v) => v.emergence?.longest)).toEqual([2, 4]);
});
