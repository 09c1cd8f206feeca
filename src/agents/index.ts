export * from './agent-sandbox';
export * from './sandbox-runtime';
