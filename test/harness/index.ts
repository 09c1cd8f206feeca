/**
 * Test harness for cdk8s-ai: a real kube-apiserver (tools/testenv) to validate
 * synthesized objects, property checks and the bad-input catalogue.
 */
export * from './bad-inputs';
export * from './control-plane';
export * from './crds';
export * from './discovery';
export * from './dropped-fields';
export * from './environments';
export * from './kube-client';
export * from './objects';
export * from './openapi';
export * from './paths';
export * from './profile';
export * from './property';
export * from './state';
export * from './validate';
