/** An error the user can act on: printed as one line, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Formats "file:line: problem" the way compilers do, so editors can jump to it. */
export function at(file: string, line: number | undefined, problem: string): string {
  return line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`;
}
