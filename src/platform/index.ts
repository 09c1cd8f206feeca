export * from './cluster-addon';
export * from './cluster-profile';
export * from './kubernetes-version';
export * from './pool-index';
export * from './tenant-index';
