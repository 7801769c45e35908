export * from './distributions';
export * from './metrics';
export * from './kde';
export * from './gmm';
export * from './mlp';
export * from './toy-gan';
export * from './experiment';
