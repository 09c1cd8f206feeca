// Public API of src/cluster/: what the target cluster is.
export * from './cluster-addon';
export * from './cluster-profile';
export * from './kubernetes-version';
export * from './kueue-configuration';
export * from './monitoring-stack';
export * from './ai-app';
