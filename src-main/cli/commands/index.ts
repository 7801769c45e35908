import type { Command } from 'commander';
import { registerServe } from './serve';
import { registerStart } from './start';
import { registerBackend } from './backend';
import { registerDataset } from './dataset';
import { registerTrain } from './train';
import { registerGenerate } from './generate';
import { registerInterpolate } from './interpolate';
import { registerExport } from './export';
import { registerBench } from './bench';
import { registerTheory } from './theory';
import { registerToy } from './toy';
import { registerGmm } from './gmm';
import { registerScore } from './score';
import { registerExperiment } from './experiment';

/** Every subcommand registers itself on the program; adding one is one file and one line here. */
export const commands: Array<(program: Command) => void> = [
  registerStart,
  registerServe,
  registerBackend,
  registerDataset,
  registerTrain,
  registerGenerate,
  registerInterpolate,
  registerExport,
  registerBench,
  registerTheory,
  registerToy,
  registerGmm,
  registerScore,
  registerExperiment,
];
