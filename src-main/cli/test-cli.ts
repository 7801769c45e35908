/** Runs commands as real child processes for the CLI's tests (tests only). */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The `gan-studio` entry the tests run with this Node. */
export const CLI_ENTRY = resolve(import.meta.dirname, 'gan-studio.mjs');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` with this process's environment plus `env`, collecting stdout and stderr;
 * `onStdout` sees the stdout so far after each chunk (and the child, e.g. to signal it).
 */
export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onStdout?: (stdout: string, child: ChildProcess) => void,
): Promise<CommandResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
