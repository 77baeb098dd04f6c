/** One `kleinscope` subcommand: what `main.ts` lists in the help and runs. */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
