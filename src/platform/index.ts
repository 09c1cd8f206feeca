// Public API of src/platform/: tenants, observability across workloads, the report.
export * from './ai-tenant';
export * from './observability';
export * from './platform-report';
export * from './tenant-access';
