// Kubernetes objects as the API server returns them. The harness, the storage provisioner and the
// specs read a few fields each; spelling out every field would add code without catching anything
// the e2e proofs do not, so they are loosely typed here, in one place.
export type Obj = any;
