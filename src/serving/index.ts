// Public API of src/serving/: one export line per public file.
export * from './endpoint-picker';
export * from './endpoint-picker-config';
export * from './epp-version';
export * from './gateway-provider';
export * from './inference-route';
export * from './inference-service';
export * from './inference-service-props';
export * from './lora-adapter';
export * from './model-cache';
export * from './model-server';
export * from './model-signature';
export * from './model-source';
export * from './parallelism-props';
export * from './route-options';
export * from './serving-autoscaling';
export * from './serving-metrics';
export * from './serving-props';
