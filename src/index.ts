export * from './accelerators';
export * from './evals';
export * from './observability';
export * from './platform';
export * from './security';
export * from './serving';
export * from './training';
