// A whole network's profile (kleinscope/profile@1) is published, read back, listed in the gallery with its chart's
// numbers, and refused by the diagram compare (profiles compare layer by layer in the page).
import { describe, expect, test } from 'vitest';
import seed from '../../src/seed/faceapi-recognition-profile.json';
import { errorOf, json, publish, request } from './support';

const profile = (patch: Record<string, unknown> = {}) => ({
  ...structuredClone(seed),
  title: `profile ${crypto.randomUUID().slice(0, 8)}`,
  ...patch,
});

describe('profiles', () => {
  test('publish, read back, and the gallery card carries the layers pattern shares', async () => {
    const body = profile();
    const created = await publish(body);
    const res = await request(`/api/results/${created.id}`);
    expect(res.status).toBe(200);
    const back = (await res.json()) as typeof body;
    expect(back.schema).toBe('kleinscope/profile@1');
    expect(back.layers).toHaveLength(seed.layers.length);
    const gallery = (await (
      await request(`/api/gallery?dataset=${encodeURIComponent(seed.source.dataset)}`)
    ).json()) as {
      items: Array<{
        id: string;
        title: string;
        profile?: { layers: Array<{ name: string; patterns: { centre: number } | null }> };
      }>;
    };
    const card = gallery.items.find((i) => i.id === created.id);
    expect(card?.title).toBe(body.title);
    const out = card!.profile!.layers.find((l) => l.name.startsWith('conv256_down_out/conv2'));
    expect(out!.patterns!.centre).toBe(1);
  });

  test('a profile naming a local path is refused, naming the field', async () => {
    const res = await request(
      '/api/results',
      json(profile({ model: { name: '/home/me/face_recognition_model-weights_manifest.json' } })),
    );
    expect(res.status).toBe(422);
    expect((await errorOf(res)).detail).toContain('model.name');
  });

  test('the diagram compare refuses a profile with a 422 that says where profiles compare', async () => {
    const a = await publish(profile());
    const b = await publish(profile());
    const res = await request(`/api/compare?a=${a.id}&b=${b.id}`);
    expect(res.status).toBe(422);
    expect((await errorOf(res)).error).toBe('not_comparable');
  });
});
