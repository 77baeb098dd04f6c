import { describe, expect, test } from 'vitest';
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
