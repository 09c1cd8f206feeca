// Public API of src/accelerators/: one export line per public file (attach.ts, cel.ts, claim-spec.ts,
// request-validation.ts and topology-levels.ts are internal).
export * from './compute-domain';
export * from './dcgm-labels';
export * from './device-attribute';
export * from './gpu-device-class';
export * from './gpu-model';
export * from './gpu-node-pool';
export * from './gpu-operator-policy';
export * from './gpu-request';
export * from './gpu-sharing';
export * from './gpu-vendor';
export * from './nic-request';
export * from './node-pool-contract';
export * from './provisioners/cluster-autoscaler-provisioner';
export * from './provisioners/existing-nodes-provisioner';
export * from './provisioners/karpenter-provisioner';
export * from './provisioners/node-provisioner';
export * from './provisioners/node-provisioner-base';
export * from './provisioners/provisioning-class';
