import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `toy` subcommand.
export function registerToy(program: Command): void {
  void program;
}
