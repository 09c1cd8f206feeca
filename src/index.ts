// Layers, bottom to top (docs/architecture.md): cluster → security → accelerators → serving, training → evals → platform.
export * from './cluster';
export * from './security';
export * from './accelerators';
export * from './serving';
export * from './training';
export * from './evals';
export * from './platform';
