/**
 * `kleinscope contribute --server URL ID`: leases runs of a pooled experiment, trains each (run i with seed i,
 * the experiment's settings) and uploads its kernels at every snapshot step. Exits when K runs are done or no
 * work is left; while runs are leased to others it waits, since their leases may expire and come back.
 */
import type { Command } from '../command';
import { parse, numberOption } from '../args';
import { CliError } from '../errors';
import { ApiError } from '../../lib/api/client';
import { encodeKernels, type ExperimentDefinition } from '../../lib/api/experiments';
import { createExperimentsClient, newContributorName } from '../../lib/api/experimentsClient';
import { selectBackend, type BackendName } from '../../lib/nn/backends';
import { loadMnistNode } from '../../lib/nn/datasets/mnistNode';
import { trainExperimentRun } from '../../lib/nn/experimentRun';

const usage =
  'kleinscope contribute --server URL ID [--runs K] [--backend wasm|cpu] [--quiet]\n' +
  '  --server URL   the Kleinscope server holding the experiment\n' +
  '  --runs K       stop after K finished runs (default: until the experiment has no work left)\n' +
  '  --backend      wasm (default) or cpu';

const ID = /^[a-z2-7]{16}$/;

function serverUrl(raw: string | undefined): string {
  if (!raw) throw new CliError(`--server URL is required\nusage: ${usage}`, 2);
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return u.origin;
  } catch {
    throw new CliError(`--server: '${raw}' is not an http(s) URL`, 2);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** The server's complaint as one line. */
function serverError(e: unknown, what: string): CliError {
  if (e instanceof ApiError) {
    return new CliError(e.offline ? `${what}: ${e.detail}` : `${what}: ${e.status} ${e.code}: ${e.detail}`);
  }
  return new CliError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
}

export const command: Command = {
  summary: 'train leased runs of a pooled experiment and upload their kernels',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { server: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' }, quiet: { type: 'boolean' } },
      usage,
    );
    const server = serverUrl(values.server);
    if (positionals.length !== 1) throw new CliError(`give one experiment ID\nusage: ${usage}`, 2);
    const id = positionals[0]!;
    if (!ID.test(id)) throw new CliError(`'${id}' is not an experiment id (16 characters a-z, 2-7)`, 2);
    const limit = numberOption('runs', values.runs, Infinity, { integer: true, min: 1, max: 100_000 });
    const wanted = (values.backend ?? 'wasm') as BackendName;
    if (wanted !== 'wasm' && wanted !== 'cpu') throw new CliError(`--backend: '${wanted}' is not wasm or cpu`, 2);
    const say = (line: string) => {
      if (!values.quiet) process.stdout.write(line + '\n');
    };

    const client = createExperimentsClient(server);
    // Fail on a wrong server or id before loading tfjs and MNIST.
    try {
      await client.get(id);
    } catch (e) {
      throw serverError(e, `experiment ${id}`);
    }
    const choice = await selectBackend([wanted]);
    if (choice.name !== wanted) throw new CliError(`--backend ${wanted}: could not start (${choice.reason})`);
    const dataset = loadMnistNode();
    const contributor = newContributorName();

    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let finished = 0;
    let released = false;
    try {
      while (finished < limit && !abort.signal.aborted) {
        let answer;
        try {
          answer = await client.lease(id, wanted, contributor);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409 && e.code === 'closed') {
            say(`experiment ${id} was closed by its owner; ${finished} run(s) contributed`);
            return 0;
          }
          if (e instanceof ApiError && e.status === 429) {
            say(`lease refused for now (${e.detail}); waiting`);
            await sleep(30_000, abort.signal);
            continue;
          }
          throw serverError(e, 'lease');
        }
        if (answer.status === 'finished') {
          say(`experiment ${id} has no work left; ${finished} run(s) contributed`);
          return 0;
        }
        if (answer.status === 'wait') {
          const p = answer.progress.runs;
          say(`waiting ${answer.retryAfterSeconds} s: ${p.leased} run(s) leased to others, ${p.done}/${p.total} done`);
          await sleep(answer.retryAfterSeconds * 1000, abort.signal);
          continue;
        }
        const { run, leaseToken, experiment } = answer;
        say(`leased run ${run} (seed ${answer.seed}) until ${answer.expiresAt}`);
        const done = await trainAndUpload(experiment, run, leaseToken);
        if (done) finished++;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (abort.signal.aborted) {
      process.stderr.write(
        released
          ? 'kleinscope contribute: interrupted; the run was given back to the pool\n'
          : 'kleinscope contribute: interrupted; the lease expires and the run returns to the pool\n',
      );
      return 130;
    }
    say(`contributed ${finished} run(s) to ${id}`);
    return 0;

    /** True when the run's every step was accepted; false when the lease was lost (the run went back). */
    async function trainAndUpload(experiment: ExperimentDefinition, run: number, leaseToken: string) {
      const lost = new AbortController();
      const signal = AbortSignal.any([abort.signal, lost.signal]);
      let complete = false;
      const result = await trainExperimentRun(experiment, run, dataset, {
        signal,
        async onSnapshot(s) {
          const body = encodeKernels(experiment.preset, s.kernels);
          const loss = Number.isFinite(s.loss) ? s.loss : null;
          try {
            const r = await client.upload(id, run, s.step, leaseToken, body, { accuracy: s.accuracy, loss });
            complete = r.runComplete;
            say(`run ${run} step ${s.step}: uploaded (${r.received}/${r.of}), test accuracy ${s.accuracy.toFixed(4)}`);
          } catch (e) {
            if (e instanceof ApiError && e.status === 409 && e.code === 'duplicate') return;
            if (e instanceof ApiError && [403, 409, 410].includes(e.status)) {
              // The lease expired (or the experiment closed): stop this run, nothing of it is counted.
              say(`run ${run}: ${e.detail}; dropping it`);
              lost.abort();
              return;
            }
            throw serverError(e, `upload of run ${run} step ${s.step}`);
          }
        },
      });
      if (result.completed && complete) return true;
      // Interrupted or refused: the run is open again now rather than when the lease expires (best effort: a
      // lease already lost or a server out of reach just expires).
      released = await client.release(id, run, leaseToken).then(
        () => true,
        (e: unknown) => (
          say(`run ${run}: could not give the lease back (${serverError(e, 'release').message})`),
          false
        ),
      );
      return false;
    }
  },
};
