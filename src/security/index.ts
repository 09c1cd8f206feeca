export * from './image-admission-policy';
export * from './image-attestation';
export * from './image-signing-policy';
export type { SecretKeyReference } from './secret-reference';
export * from './signing-authority';
export * from './tenant-dns';
export * from './workload-security';
