// The shapes the process kubelet reads. Kubernetes objects are used as the API server returns them;
// spelling out every field the kubelet touches would double this code without catching anything
// the e2e proofs do not, so they are loosely typed here, in one place.
export type Obj = any;

export interface KubeletOptions {
  kubeconfig: string;
  dir: string;
  nodes: string[];
  apiserverPort: number;
}
