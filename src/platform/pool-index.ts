// Public API of the GPU node pool (wired into src/platform/index.ts by the lead).
export * from './gpu-node-pool';
export * from './provisioners/node-provisioner-base';
export * from './provisioners/node-provisioner';
export * from './provisioners/karpenter-provisioner';
export * from './provisioners/existing-nodes-provisioner';
