import type { Command } from 'commander';
import type { BackendPreference } from '../../shared/contract';
import { backendOption, startBackend, SYNC_READ_BACKENDS } from './engine-options';

function fmt(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(3) : x.toFixed(4);
}

export function registerTheory(program: Command): void {
  program
    .command('theory')
    .description("check THEORY.md's claims numerically: optimal D, saturation of mm, a 1-D GAN's JSD")
    .addOption(backendOption(SYNC_READ_BACKENDS))
    .option('--json', 'print the results as one JSON object')
    .action(async (o: { backend: BackendPreference; json?: boolean }) => {
      const report = await startBackend(o.backend, o.json === true, true);
      const { runTheoryChecks } = await import('../../engine/theory');
      const checks = runTheoryChecks();
      const pass = checks.every((c) => c.pass);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ backend: report.backend, pass, checks })}\n`);
      } else {
        const rows = checks.map((c, i) => [`${i + 1}. ${c.id}`, fmt(c.measured), fmt(c.expected), c.pass ? 'pass' : 'FAIL', `${(c.ms / 1000).toFixed(1)}s`]);
        const header = ['check', 'measured', 'expected', 'result', 'time'];
        const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
        const line = (r: string[]) => r.map((cell, j) => cell.padEnd(widths[j])).join('  ');
        process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
        for (const r of rows) process.stdout.write(`${line(r)}\n`);
        process.stdout.write('\n');
        checks.forEach((c, i) => {
          const details = Object.entries(c.details).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
          process.stdout.write(`${i + 1}. ${c.title}\n   criterion: ${c.criterion}\n   ${details}\n`);
        });
      }
      if (!pass) process.exitCode = 1;
    });
}
