/** The run schema (issue 10): every run, dataset and playground option once. See option.ts for the shape. */
export * from './option';
export * from './names';
export * from './dataset';
export * from './run';
export * from './toy';
export * from './gmm';
export * from './presets';
