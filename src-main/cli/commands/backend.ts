import type { Command } from 'commander';
import { appPaths } from '../../disk/app-paths';
import { nodeTrainerLauncher, TrainerClient } from '../../host/trainer-client';

export function registerBackend(program: Command): void {
  program
    .command('backend')
    .description("start the trainer process and print its compute-backend report as JSON")
    .action(async () => {
      appPaths();
      const trainer = new TrainerClient(nodeTrainerLauncher());
      try {
        const report = await trainer.ready();
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } finally {
        await trainer.stop();
      }
    });
}
