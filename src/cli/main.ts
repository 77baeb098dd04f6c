import type { Command } from './command';
import { CliError } from './errors';

// Each command is loaded only when asked for, so `kleinscope ph` never pays for tfjs or zod.
const commands: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  analyze: {
    summary: 'filters -> Mapper graph, barcodes and model fit (a result document)',
    load: () => import('./commands/analyze'),
  },
  contribute: {
    summary: 'train leased runs of a pooled experiment and upload their kernels',
    load: () => import('./commands/contribute'),
  },
  layers: { summary: 'list the conv layers of a TensorFlow.js model', load: () => import('./commands/layers') },
  ph: { summary: 'Vietoris-Rips persistence barcodes (Ripser-compatible)', load: () => import('./commands/ph') },
  pool: {
    summary: "write a pooled experiment's accepted runs as a training folder",
    load: () => import('./commands/pool'),
  },
  profile: {
    summary: "every 3x3 conv layer of a model as one chart (the paper's figure 6), CSV and results",
    load: () => import('./commands/profile'),
  },
  publish: { summary: 'publish a result document to a server', load: () => import('./commands/publish') },
  reproduce: {
    summary: "the paper's experiment: many trainings, every snapshot analysed, the emergence table",
    load: () => import('./commands/reproduce'),
  },
  train: {
    summary: 'train CNNs (wasm or cpu) and write their conv kernels at snapshot steps',
    load: () => import('./commands/train'),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'kleinscope: the topology of what convolutional networks learn',
    '',
    'usage: kleinscope <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'kleinscope <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${__KLEINSCOPE_VERSION__}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`kleinscope: unknown command '${name}'. Run 'kleinscope --help' for the list.\n`);
    return 2;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`kleinscope ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`kleinscope ${name}: internal error: ${message.split('\n')[0]}\n`);
    return 70;
  }
}

declare const __KLEINSCOPE_VERSION__: string;
