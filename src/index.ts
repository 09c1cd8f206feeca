// Layers, bottom to top (docs/architecture.md): cluster → security → accelerators → serving, training, agents → evals → platform.
export * from './cluster';
export * from './security';
export * from './accelerators';
export * from './serving';
export * from './training';
export * from './agents';
export * from './evals';
export * from './platform';
