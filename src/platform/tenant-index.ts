// Public API of the tenant and report constructs (the lead wires this into src/platform/index.ts).
export * from './ai-tenant';
export * from './platform-report';
export * from './tenant-access';
