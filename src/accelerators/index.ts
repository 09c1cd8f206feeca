// Public API of src/accelerators/: one export line per public file (attach.ts, cel.ts, claim-spec.ts and
// request-validation.ts are internal).
export * from './compute-domain';
export * from './device-attribute';
export * from './gpu-device-class';
export * from './gpu-model';
export * from './gpu-operator-policy';
export * from './gpu-request';
export * from './gpu-sharing';
export * from './gpu-vendor';
