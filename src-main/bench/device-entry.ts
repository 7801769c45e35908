/**
 * The entry of the GPU device bundle (src-main/bench/device-bundle.ts builds it into one file,
 * device-bundle/app/bench.mjs): `gan-studio bench` as the CLI has it, and `adapters`, which lists
 * the WebGPU adapters Dawn offers and fails with one line when none fits. Only these two commands
 * are shipped, so the bundle needs tfjs and Dawn but none of the other commands' packages (sharp, ws).
 *
 *   node bench.mjs adapters [--allow-software]   one line per Dawn set-up; exit 3 when no adapter fits
 *   node bench.mjs bench --backend webgpu …       as `gan-studio bench`
 */
import type { Command } from 'commander';
import { registerBench } from '../cli/commands/bench';
import { runCli } from '../cli/run-cli';

/** Exit code of `adapters` when no adapter fits: run.sh reports the device check as blocked. */
export const NO_ADAPTER_EXIT = 3;

function registerAdapters(program: Command): void {
  program
    .command('adapters')
    .description(
      'list the WebGPU adapters Dawn offers (Vulkan/Metal/D3D12, then OpenGL in compatibility mode); ' +
        `exit ${NO_ADAPTER_EXIT} with one line when there is no hardware adapter`,
    )
    .option('--allow-software', 'a software adapter (llvmpipe, SwiftShader) will do: for testing the bundle without a GPU')
    .action(async (options: { allowSoftware?: boolean }) => {
      const { adapterReport, isSoftwareAdapter, probeAdapters } = await import('../trainer/webgpu');
      const probed = await probeAdapters();
      for (const p of probed) {
        const api = p.api === 'default' ? 'Vulkan/Metal/D3D12' : 'OpenGL (compatibility)';
        if (p.info) {
          const a = adapterReport(p.info, p.api);
          process.stdout.write(`adapter: ${api}: ${a.name} (${a.type}${a.vendor ? `, vendor ${a.vendor}` : ''}${a.description ? `, ${a.description}` : ''})\n`);
        } else {
          process.stdout.write(`adapter: ${api}: none (${p.error ?? 'no adapter'})\n`);
        }
      }
      const fits = probed.some((p) => p.info && (options.allowSoftware || !isSoftwareAdapter(p.info)));
      if (!fits) {
        const found = probed.map((p) => (p.info ? adapterReport(p.info, p.api).name : (p.error ?? 'none'))).join('; ');
        process.stderr.write(`no ${options.allowSoftware ? '' : 'hardware '}WebGPU adapter: ${found}\n`);
        process.exitCode = NO_ADAPTER_EXIT;
      }
    });
}

process.exitCode = await runCli(process.argv, [registerBench, registerAdapters]);
