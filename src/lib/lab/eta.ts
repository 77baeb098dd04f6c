/**
 * Remaining-time estimate for a progress bar: the average rate since the first progress after the start, so the
 * warm-up (backend start, shader compilation, the first batch) is left out. An average over the whole run, not a
 * recent rate: training stops for a snapshot's evaluation every so often, and a recent rate turned each stop into a
 * jump of the estimate (31 s, then 4 min, then 41 s). The average counts the stops at their real share.
 */
export interface Eta {
  /** Record progress `done` (same unit as `total`) seen at `nowMs`. */
  update(done: number, nowMs: number): void;
  /** Seconds left, or null while there is not enough history to say. */
  secondsLeft(): number | null;
}

export function createEta(total: number): Eta {
  let start: number | null = null;
  // The first progress past the start: measuring from here leaves the warm-up out.
  let refDone: number | null = null;
  let refMs = 0;
  let done = 0;
  let lastMs = 0;
  return {
    update(d, nowMs) {
      if (start === null) {
        start = d;
      } else if (refDone === null) {
        if (d > start) {
          refDone = d;
          refMs = nowMs;
        }
      } else if (d > done) {
        lastMs = nowMs;
      }
      done = d;
    },
    secondsLeft() {
      if (refDone === null || done <= refDone || lastMs <= refMs) return null;
      const rate = (lastMs - refMs) / (done - refDone);
      return Math.max(0, ((total - done) * rate) / 1000);
    },
  };
}

/**
 * The training bar's words for the latest step: runs that are at the same step train together (one ensemble), so
 * they are named as a range, not as the last of them ("run 2/2" read as if run 1 were done).
 */
export function trainingDetail(reached: readonly number[], run: number, step: number, loss: number): string {
  const R = reached.length;
  const tail = `step ${step}, loss ${loss.toFixed(3)}`;
  if (R === 1) return tail;
  let lo = run;
  let hi = run;
  while (lo > 0 && reached[lo - 1] === step) lo--;
  while (hi < R - 1 && reached[hi + 1] === step) hi++;
  if (lo === hi) return `run ${run + 1} of ${R}, ${tail}`;
  return `runs ${lo + 1}–${hi + 1} of ${R} together, ${tail}`;
}

/** "12 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '…';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Parses a snapshot schedule: "100, 200, 500" or "every 50"; the last step is always included. */
export function parseSchedule(text: string, totalSteps: number): number[] {
  const t = text.trim().toLowerCase();
  const every = /^every\s+(\d+)$/.exec(t);
  let steps: number[];
  if (every) {
    const n = Number(every[1]);
    if (n <= 0) throw new Error('snapshot schedule: "every N" needs N > 0');
    steps = [];
    for (let s = n; s <= totalSteps; s += n) steps.push(s);
  } else {
    if (t === '') throw new Error('snapshot schedule: give steps such as "100, 500" or "every 100"');
    steps = t.split(/[\s,;]+/).map((part) => {
      if (!/^\d+$/.test(part)) throw new Error(`snapshot schedule: "${part}" is not a whole number of steps`);
      return Number(part);
    });
  }
  for (const s of steps) {
    if (s < 1 || s > totalSteps) throw new Error(`snapshot schedule: step ${s} is outside 1..${totalSteps}`);
  }
  // The final weights are always worth a snapshot.
  steps.push(totalSteps);
  return [...new Set(steps)].sort((a, b) => a - b);
}
