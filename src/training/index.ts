// Public API of src/training/: one export line per public file. The option types of schedulers/ and launchers/ come
// through gang-scheduler and training-launcher, which re-export them without the internal classes beside them.
export * from './gang-failure-policy';
export * from './gang-scheduler';
export * from './gang-topology';
export * from './gang-training-job';
export * from './gang-training-job-props';
export * from './ray-cluster';
export * from './ray-cluster-props';
export * from './training-backend';
export * from './training-initializer';
export * from './training-launcher';
export * from './training-volume';
