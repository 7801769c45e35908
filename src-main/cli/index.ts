import { commands } from './commands/index';
import { runCli } from './run-cli';

/** The `gan-studio` command line with every subcommand; see runCli for the exit codes. */
export async function main(argv: string[]): Promise<number> {
  return runCli(argv, commands);
}
