import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util's parseArgs, with its exceptions turned into one-line usage errors. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\nusage: ${usage}`, 2);
  }
}

/** Reads a numeric option, refusing anything that is not a finite number in range. */
export function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: { integer?: boolean; min?: number; max?: number } = {},
): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new CliError(`--${name}: '${raw}' is not a number`, 2);
  if (check.integer && !Number.isInteger(v)) throw new CliError(`--${name}: '${raw}' is not an integer`, 2);
  if (check.min !== undefined && v < check.min) throw new CliError(`--${name}: ${raw} is below ${check.min}`, 2);
  if (check.max !== undefined && v > check.max) throw new CliError(`--${name}: ${raw} is above ${check.max}`, 2);
  return v;
}
