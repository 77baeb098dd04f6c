// What the lab's form and notice say about a training that was stored and is on screen again (after a reload, or
// opened from the list): the form shows that training's own source and settings, so "Resume" visibly continues
// the job it names, and a notice says where it stopped and from which step each run continues.
import type { Session, SessionConfig } from '$lib/store/types';
import type { RunSettings, SourceKind } from './settings';

/** The form's source and run settings that started this training. */
export function settingsOfSession(config: SessionConfig): { source: SourceKind; settings: RunSettings } {
  const source: SourceKind = config.dataset === 'cifar10' ? 'cifar' : config.init === 'pytorch' ? 'paper' : 'mnist';
  return {
    source,
    settings: {
      architecture: config.arch.name,
      runs: config.runs,
      steps: config.steps,
      batchSize: config.batchSize,
      schedule: config.snapshots.join(', '),
    },
  };
}

const runsText = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

/**
 * One sentence for a stored training that has not reached its last step: how it stopped (`interrupted`: the page
 * was closed or reloaded while it ran), and the step each run resumes from (its latest checkpoint; 0 for a run
 * that has none). Null for a finished training.
 */
export function resumeNotice(session: Session, checkpointSteps: number[], interrupted: boolean): string | null {
  if (session.status === 'complete') return null;
  const c = session.config;
  const steps = Array.from({ length: c.runs }, (_, run) => checkpointSteps[run] ?? 0);
  const low = Math.min(...steps);
  const high = Math.max(...steps);
  const how = interrupted
    ? 'was interrupted (the page was closed or reloaded while it ran)'
    : session.status === 'cancelled'
      ? 'was cancelled'
      : 'was paused';
  const from = low === high ? `from step ${low}` : `from its last checkpoint (steps ${low} to ${high}, by run)`;
  return (
    `This training (${runsText(c.runs)} × ${c.steps} steps of ${c.arch.name}) ${how}. ` +
    `Resuming continues each run ${from} to step ${c.steps}.`
  );
}
