/**
 * One training shared among processes: TensorFlow.js's wasm backend uses one core in Node, so on a machine with
 * more, `kleinscope train` and `kleinscope reproduce` start W `kleinscope train --run-range` processes on the same
 * folder (each process its own runs; see trainingFolder.ts) and fold their records into manifest.json when they
 * stop. Run r keeps its seed (runSeed(seed, r)) whichever process trains it, so the folder is the one a single
 * process writes, byte for byte apart from the manifest's timestamps, and it resumes with any number of processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors';
import { checkTraining, trainArgv, trainRuns, type TrainRunsConfig } from './trainRuns';
import { consolidate } from './trainingFolder';
import { splitRuns } from '../lib/nn/runShares';

export interface Processes {
  /** How many processes share the runs (at most one per run); 1 trains in this process. */
  workers: number;
  /** The `kleinscope` script the processes run (process.argv[1] of a CLI command). */
  cli: string;
  /** Pass --quiet to the processes. */
  quiet: boolean;
}

/**
 * Trains (or resumes) the whole training `run` into `run.out`, in `processes.workers` processes. Resolves with the
 * exit code: 0 once it is complete, 130 when interrupted (every snapshot so far is recorded in manifest.json, and
 * the same call, with any number of workers, resumes), else a failed process's code. Bad input throws a one-line
 * CliError before any process starts.
 */
export async function trainFolder(run: Omit<TrainRunsConfig, 'runRange'>, processes: Processes): Promise<number> {
  // A crash may have left parts behind: fold them in first, so what follows sees one manifest.
  if (existsSync(run.out)) consolidate(run.out);
  const workers = Math.max(1, Math.min(processes.workers, run.runs));
  if (workers === 1) {
    const { completed } = await trainRuns({ ...run, runRange: null });
    return completed ? 0 : 130;
  }
  checkTraining({ ...run, runRange: null });
  return trainInProcesses(run, workers, processes);
}

async function trainInProcesses(
  run: Omit<TrainRunsConfig, 'runRange'>,
  workers: number,
  { cli, quiet }: Processes,
): Promise<number> {
  const { out, say } = run;
  const started = performance.now();
  const children: ChildProcess[] = [];
  // A signal sent to this process alone (not from a terminal, which signals every process) reaches the parts
  // too, so they stop after their current step and record it rather than being left running.
  const forward = (signal: NodeJS.Signals) => () => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let codes: number[];
  try {
    codes = await Promise.all(
      splitRuns(run.runs, workers).map(
        ([a, b], i) =>
          new Promise<number>((resolve) => {
            const child = spawn(
              process.execPath,
              [cli, 'train', ...trainArgv(run, quiet), '--run-range', `${a}:${b}`, '--out', out],
              { stdio: ['ignore', 'pipe', 'pipe'] },
            );
            children.push(child);
            const label = b - a === 1 ? `run ${a}` : `runs ${a}-${b - 1}`;
            const relay = (write: (s: string) => void) => {
              let rest = '';
              return (chunk: Buffer) => {
                const lines = (rest + chunk.toString('utf8')).split('\n');
                rest = lines.pop() ?? '';
                for (const line of lines) if (line) write(`[part ${i}, ${label}] ${line}`);
              };
            };
            child.stdout!.on('data', relay(say));
            child.stderr!.on(
              'data',
              relay((l) => process.stderr.write(l + '\n')),
            );
            child.on('error', (e) => {
              process.stderr.write(`[part ${i}] cannot start: ${e.message}\n`);
              resolve(1);
            });
            child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
          }),
      ),
    );
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  // Whatever happened, what the parts recorded goes into manifest.json.
  const whole = consolidate(out);
  const failed = codes.find((c) => c !== 0);
  if (failed !== undefined) return failed;
  if (!whole?.complete) throw new CliError(`${out}: every process finished but the training is not complete`);
  const seconds = (performance.now() - started) / 1000;
  say(
    `wrote ${whole.snapshots.length} snapshots of ${whole.runs} runs to ${join(out, 'manifest.json')} ` +
      `(${workers} processes, ${seconds.toFixed(1)} s)`,
  );
  return 0;
}
