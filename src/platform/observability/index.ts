// Public API of src/platform/observability/: one export line per construct file.
export * from './gpu-price';
export * from './platform-observability';
export * from './tracing';
export * from './workload-monitoring';
