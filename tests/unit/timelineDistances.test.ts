// The timeline's distance cache: each pair of consecutive analyses is measured once, missing analyses show as
// gaps, a call during a measurement is not lost, and a failed measurement is asked again next time.
import { describe, expect, it } from 'vitest';
import { TimelineDistances, type LayerDistances, type TimelineView } from '../../src/lib/lab/timelineDistances';
import type { DocumentBars } from '../../src/lib/worker/protocol';
import type { ResultDocument } from '../../src/lib/result/schema';
import { circleResult } from '../support/circleResult';

/** A document whose H1 diagram is one bar of the given length, so a fake measure can tell documents apart. */
function doc(length: number): ResultDocument {
  const d = circleResult();
  return { ...d, persistence: { ...d.persistence, diagrams: [d.persistence.diagrams[0], [[0, length]]] } };
}

const key = (step: number, layer: number) => `${step}:${layer}`;

function view(steps: number[], layers: number[], docs: Record<string, ResultDocument>): TimelineView {
  return { steps, layers, results: new Map(Object.entries(docs)), key };
}

/** |difference of the single bars' lengths|, recording every batch it is asked. */
function fakeMeasure() {
  const batches: Array<Array<[DocumentBars, DocumentBars]>> = [];
  const measure = async (pairs: Array<[DocumentBars, DocumentBars]>) => {
    batches.push(pairs);
    return pairs.map(([a, b]) => Math.abs((a[0][1] ?? 0) - (b[0][1] ?? 0)));
  };
  return { batches, measure };
}

describe('TimelineDistances', () => {
  it('shows the gaps at once, then the measured distances; a pair is measured only once', async () => {
    const { batches, measure } = fakeMeasure();
    const distances = new TimelineDistances(measure);
    const docs = { '0:1': doc(1), '5:1': doc(3), '10:1': doc(7), '0:2': doc(2), '10:2': doc(2.5) };
    const v = view([0, 5, 10], [1, 2], docs);
    const shown: LayerDistances[] = [];
    await distances.update(
      v,
      (d) => shown.push(d),
      () => v,
    );
    expect(shown[0]).toEqual(
      new Map([
        [1, [null, null]],
        [2, [null, null]],
      ]),
    );
    // Layer 2 has no analysis at step 5: no pair touches it.
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
    expect(shown.at(-1)).toEqual(
      new Map([
        [1, [2, 4]],
        [2, [null, null]],
      ]),
    );

    // The same documents again: nothing to measure. A new step costs one pair per layer.
    await distances.update(
      v,
      (d) => shown.push(d),
      () => v,
    );
    expect(batches).toHaveLength(1);
    const grown = view([0, 5, 10, 20], [1, 2], { ...docs, '20:1': doc(7.5) });
    await distances.update(
      grown,
      (d) => shown.push(d),
      () => grown,
    );
    expect(batches).toHaveLength(2);
    expect(batches[1]).toHaveLength(1);
    expect(shown.at(-1)!.get(1)).toEqual([2, 4, 0.5]);
  });

  it('new documents (new parameters) are measured afresh', async () => {
    const { batches, measure } = fakeMeasure();
    const distances = new TimelineDistances(measure);
    const a = view([0, 5], [1], { '0:1': doc(1), '5:1': doc(3) });
    await distances.update(
      a,
      () => {},
      () => a,
    );
    const b = view([0, 5], [1], { '0:1': doc(1), '5:1': doc(3) });
    let last: LayerDistances | undefined;
    await distances.update(
      b,
      (d) => (last = d),
      () => b,
    );
    expect(batches).toHaveLength(2);
    expect(last!.get(1)).toEqual([2]);
  });

  it('a call during a measurement is dropped, and the running one goes on with the latest view', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batches: number[] = [];
    const distances = new TimelineDistances(async (pairs) => {
      batches.push(pairs.length);
      await gate;
      return pairs.map(() => 1);
    });
    const docs = { '0:1': doc(1), '5:1': doc(3) };
    const first = view([0, 5], [1], docs);
    let latest = first;
    let last: LayerDistances | undefined;
    const running = distances.update(
      first,
      (d) => (last = d),
      () => latest,
    );
    latest = view([0, 5, 10], [1], { ...docs, '10:1': doc(4) });
    await distances.update(
      latest,
      (d) => (last = d),
      () => latest,
    );
    expect(batches).toEqual([1]);
    release();
    await running;
    expect(batches).toEqual([1, 1]);
    expect(last!.get(1)).toEqual([1, 1]);
  });

  it('a failed measurement ends the round; the next update asks again', async () => {
    let fail = true;
    const distances = new TimelineDistances(async (pairs) => {
      if (fail) throw new Error('cancelled');
      return pairs.map(() => 9);
    });
    const v = view([0, 5], [1], { '0:1': doc(1), '5:1': doc(3) });
    let last: LayerDistances | undefined;
    await distances.update(
      v,
      (d) => (last = d),
      () => v,
    );
    expect(last!.get(1)).toEqual([null]);
    fail = false;
    await distances.update(
      v,
      (d) => (last = d),
      () => v,
    );
    expect(last!.get(1)).toEqual([9]);
  });
});
