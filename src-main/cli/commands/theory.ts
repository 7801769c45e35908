import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `theory` subcommand.
export function registerTheory(program: Command): void {
  void program;
}
