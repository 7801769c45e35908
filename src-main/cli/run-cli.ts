import { Command, CommanderError } from 'commander';
import { UsageError } from './usage-error';
import { appPaths } from '../disk/app-paths';
import { diskFullLine } from '../disk/disk-full';

/**
 * Runs the `gan-studio` program with the given subcommands on `argv` (process.argv's shape) and
 * returns the exit code: 0, 1 (a failure, one line on stderr), 2 (a usage error, one line).
 * `main` passes every subcommand; the GPU device bundle (src-main/bench/device-entry.ts) passes
 * only the ones it ships, so it needs none of the others' packages.
 */
export async function runCli(argv: string[], commands: ReadonlyArray<(program: Command) => void>): Promise<number> {
  const program = new Command('gan-studio')
    .description('Train GANs on your own images, offline, and see the theory at work.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of commands) command(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`gan-studio: ${error.message}\n`);
      return 2;
    }
    // Training says more (session.ts); this is every other write: generate, export, dataset.
    const full = diskFullLine(error, appPaths().root);
    if (full) {
      process.stderr.write(`gan-studio: ${full}\n`);
      return 1;
    }
    process.stderr.write(`gan-studio: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.GAN_STUDIO_DEBUG) console.error(error);
    return 1;
  }
}
