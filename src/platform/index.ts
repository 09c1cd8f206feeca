export * from './cluster-addon';
export * from './cluster-profile';
export * from './kubernetes-version';
