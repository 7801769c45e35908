import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `dataset` subcommand.
export function registerDataset(program: Command): void {
  void program;
}
