// Public API of src/observability/: one export line per construct file.
export * from './dcgm-labels';
export * from './gpu-price';
export * from './monitoring-stack';
export * from './platform-observability';
export * from './serving-metrics';
export * from './tracing';
export * from './workload-monitoring';
