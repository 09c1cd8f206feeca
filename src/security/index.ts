export * from './workload-security';
