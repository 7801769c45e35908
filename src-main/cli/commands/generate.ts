import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `generate` subcommand.
export function registerGenerate(program: Command): void {
  void program;
}
