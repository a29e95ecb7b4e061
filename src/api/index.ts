// The API of nats-warden (group natswarden.io, version v1alpha1): schemas, their TypeScript types,
// and validation with defaults. The CRDs in crds/ are generated from these schemas.
export * from './common.ts';
export * from './natscluster.ts';
export * from './natsaccount.ts';
export * from './natsuser.ts';
export * from './names.ts';
export * from './schema-check.ts';
