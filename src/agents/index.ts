export * from './agent-sandbox';
export * from './sandbox-lifecycle';
export * from './sandbox-runtime';
