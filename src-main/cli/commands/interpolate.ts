import type { Command } from 'commander';

// Placeholder: filled in by the issue that owns the `interpolate` subcommand.
export function registerInterpolate(program: Command): void {
  void program;
}
