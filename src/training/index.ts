// Public API of src/training/: one export line per public file.
export * from './gang-scheduler';
export * from './gang-topology';
export * from './gang-training-job';
export * from './training-backend';
export * from './training-launcher';
export * from './training-volume';
