/**
 * Remaining-time estimate for a progress bar. It uses the recent rate (an exponential average of seconds per unit
 * of progress) rather than the average since start, because training's first steps include backend warm-up and
 * shader compilation, and the analysis stages run at very different speeds.
 */
export interface Eta {
  /** Record progress `done` (same unit as `total`) seen at `nowMs`. */
  update(done: number, nowMs: number): void;
  /** Seconds left, or null while there is not enough history to say. */
  secondsLeft(): number | null;
}

export function createEta(total: number, smoothing = 0.3): Eta {
  let lastDone: number | null = null;
  let lastMs = 0;
  let rate: number | null = null; // ms per unit
  let done = 0;
  return {
    update(d, nowMs) {
      if (lastDone !== null && d > lastDone && nowMs >= lastMs) {
        const r = (nowMs - lastMs) / (d - lastDone);
        rate = rate === null ? r : rate + smoothing * (r - rate);
      }
      if (lastDone === null || d !== lastDone) {
        lastDone = d;
        lastMs = nowMs;
      }
      done = d;
    },
    secondsLeft() {
      if (rate === null) return null;
      return Math.max(0, ((total - done) * rate) / 1000);
    },
  };
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
