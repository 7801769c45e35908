import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `train` subcommand.
export function registerTrain(program: Command): void {
  void program;
}
