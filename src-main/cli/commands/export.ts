import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `export` subcommand.
export function registerExport(program: Command): void {
  void program;
}
