import { describe, expect, test } from 'vitest';
import { MAX_MAGNITUDE, MAX_TIMINGS } from '../../src/lib/result/schema';
import { validateResult } from '../../src/lib/result/validate';
import { minimalDocument } from '../support/fixtures';

describe('result schema', () => {
  test('a well-formed document round-trips through JSON', () => {
    const v = validateResult(JSON.parse(JSON.stringify(minimalDocument)));
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.value).toEqual(minimalDocument);
  });

  test('a wrong field is named with its path', () => {
    const bad = structuredClone(minimalDocument);
    bad.mapper.nodes[0].meanFilter = [1, 2, 3];
    const v = validateResult(bad);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.field).toBe('mapper.nodes.0.meanFilter');
  });

  test('non-finite numbers and a wrong schema id are refused', () => {
    expect(validateResult({ ...minimalDocument, schema: 'kleinscope/analysis@0' }).ok).toBe(false);
    const nan = structuredClone(minimalDocument);
    nan.modelFit.primaryCircle.angles[1] = Number.NaN;
    expect(validateResult(nan).ok).toBe(false);
  });

  test('a bar that dies before it is born is refused, naming it', () => {
    const bad = structuredClone(minimalDocument);
    bad.persistence.diagrams[1] = [[1, 0]];
    const v = validateResult(bad);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.field).toBe('persistence.diagrams.1.0');
    bad.persistence.diagrams[1] = [
      [1, 1],
      [1, null],
    ];
    expect(validateResult(bad).ok).toBe(true);
  });
});

describe('what the views assume, the schema guarantees', () => {
  const fieldOf = (doc: unknown) => {
    const v = validateResult(doc);
    return v.ok ? null : `${v.field}: ${v.message}`;
  };

  test('no number beyond MAX_MAGNITUDE: a bar at 1e308 made the axes NaN', () => {
    const bad = structuredClone(minimalDocument);
    bad.persistence.diagrams[1] = [[0, 1e308]];
    expect(fieldOf(bad)).toMatch(/^persistence\.diagrams\.1\.0\.1:/);
    bad.persistence.diagrams[1] = [[-MAX_MAGNITUDE, MAX_MAGNITUDE]];
    expect(fieldOf(bad)).toBeNull();
    const timing = structuredClone(minimalDocument);
    timing.timings.total = 2 * MAX_MAGNITUDE;
    expect(fieldOf(timing)).toMatch(/^timings\.total:/);
    const huge = structuredClone(minimalDocument);
    huge.preprocessing.nInput = 1e300;
    expect(fieldOf(huge)).toMatch(/^preprocessing\.nInput:/);
  });

  test('node ids are unique', () => {
    const bad = structuredClone(minimalDocument);
    bad.mapper.nodes = [bad.mapper.nodes[0]!, { ...bad.mapper.nodes[0]! }];
    expect(fieldOf(bad)).toMatch(/^mapper\.nodes: two nodes have the same id/);
  });

  test("a node's members are unique", () => {
    const bad = structuredClone(minimalDocument);
    bad.mapper.nodes[0]!.members = [0, 1, 0];
    expect(fieldOf(bad)).toMatch(/^mapper\.nodes\.0\.members: a node lists a member twice/);
  });

  test('timings and node attributes have a bounded number of keys', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    const timed = (n: number) => ({ ...structuredClone(minimalDocument), timings: many(n) });
    expect(fieldOf(timed(MAX_TIMINGS))).toBeNull();
    expect(fieldOf(timed(300_000))).toMatch(/^timings: at most/);
    const attributes = structuredClone(minimalDocument);
    Object.assign(attributes.mapper.nodes[0]!, { attributes: many(1000) });
    expect(fieldOf(attributes)).toMatch(/^mapper\.nodes\.0\.attributes: at most/);
  });

  test('text with a lone surrogate is refused (strict JSON clients cannot read it back)', () => {
    const titled = (title: string) => ({ ...structuredClone(minimalDocument), title });
    for (const title of ['broken \ud800 title', 'tail \udc00', '\udc00\ud800']) {
      expect(fieldOf(titled(title))).toMatch(/^title: contains a lone surrogate/);
    }
    expect(fieldOf(titled('Kleinflasche 🧴 克莱因瓶'))).toBeNull();
    expect(fieldOf({ ...structuredClone(minimalDocument), timings: { ['\ud83d']: 1 } })).not.toBeNull();
  });
});
