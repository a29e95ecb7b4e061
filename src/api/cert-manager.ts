// cert-manager's own types (cert-manager.io/v1) for everything the renderer emits and the
// controller reads, from @kubernetes-models/cert-manager (generated from cert-manager's CRDs).
// Type-only: nothing of that package is loaded at run time.
import type {
  ICertificate,
  ICertificateRequest,
  IClusterIssuer,
  IIssuer,
} from '@kubernetes-models/cert-manager/cert-manager.io/v1';

export type Certificate = ICertificate;
export type CertificateRequest = ICertificateRequest;
export type Issuer = IIssuer;
export type ClusterIssuer = IClusterIssuer;
export type CertificateSpec = NonNullable<ICertificate['spec']>;
export type IssuerSpec = NonNullable<IIssuer['spec']>;
export type CertManagerCondition = NonNullable<NonNullable<ICertificate['status']>['conditions']>[number];

export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';
/** cert-manager annotates each CertificateRequest with the Certificate it was made for. */
export const CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';
export const CERTIFICATE_REVISION_ANNOTATION = 'cert-manager.io/certificate-revision';
