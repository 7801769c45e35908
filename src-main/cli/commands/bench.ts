import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `bench` subcommand.
export function registerBench(program: Command): void {
  void program;
}
