export * from './image-admission-policy';
export * from './image-signing-policy';
export * from './signing-authority';
export * from './tenant-dns';
export * from './workload-security';
