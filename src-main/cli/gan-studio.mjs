#!/usr/bin/env node
// The CLI runs from the TypeScript sources through tsx, so `npx gan-studio` works right after
// `npm install` without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./index.ts');
process.exitCode = await main(process.argv);
