// The renderer's public face: (resources, context) -> every object the operator would create.
// Pure: no I/O, no clock, no randomness. Cross-resource problems throw RenderError naming the field.
import type { NatsCluster } from '../api/index.ts';
import { renderCaBootstrap, renderLeafCertificates } from './certificates.ts';
import { renderConfigMap, renderConfigSecrets } from './config-objects.ts';
import type { RenderContext } from './context.ts';
import { crossResourceProblems, membershipProblems, type ClusterMembers } from './membership.ts';
import { RenderError } from './render-error.ts';
import {
  renderClientService,
  renderHeadlessService,
  renderPodDisruptionBudget,
  renderServiceAccount,
} from './services.ts';
import { renderNetworkPolicy } from './network-policy.ts';
import { renderStatefulSet } from './statefulset.ts';
import { renderUserCredentials } from './user-credentials.ts';

export { RenderError } from './render-error.ts';
export * from './context.ts';
export {
  crossResourceProblems,
  loginsOf,
  membersOf,
  membershipProblems,
  RESERVED_ACCOUNT_NAMES,
  type ClusterMembers,
  type Exclusion,
} from './membership.ts';
export { childNames, podFqdn } from './names.ts';
export { PATHS, PORTS, FILES, ENV, ROOTS, podMounts, type Mount } from './layout.ts';
export { TLS_REVISION_ANNOTATION, tlsRevisionAnnotation, servedCertificatesKey } from './tls-revision.ts';
export { TEMPLATE_HASH_ANNOTATION, VERIFIED_ANNOTATION, podTemplateHash } from './statefulset.ts';
export { renderCaBootstrap, renderLeafCertificates } from './certificates.ts';
export {
  clientUrl,
  clientCertificateName,
  clientCertificateSecretName,
  needsClientCertificate,
} from './user-credentials.ts';
export { renderNatsConf } from './nats-conf.ts';
export { accountEntryDigest, configModeAuthWithMarker, LOAD_MARKER_PREFIX } from './auth-conf.ts';

/**
 * Every object a NatsCluster owns, and every credentials object of its users. Offline use: a member
 * left out (membership.ts) is an error here, as is any problem of the cluster itself.
 */
export function renderCluster(
  cluster: NatsCluster,
  members: ClusterMembers,
  context: RenderContext,
): object[] {
  const problems = [...crossResourceProblems(cluster, members), ...membershipProblems(members)];
  if (problems.length) throw new RenderError(`NatsCluster ${cluster.metadata.name}`, problems.join('; '));
  return renderClusterObjects(cluster, members, context);
}

/**
 * renderCluster for the controller: it has checked crossResourceProblems, and reports each member
 * left out on that member while the rest is rendered.
 */
export function renderClusterObjects(
  cluster: NatsCluster,
  members: ClusterMembers,
  context: RenderContext,
): object[] {
  return [
    ...renderCaBootstrap(cluster),
    ...renderLeafCertificates(cluster, context),
    renderServiceAccount(cluster),
    renderConfigMap(cluster, context.issuedCertificatePins),
    ...renderConfigSecrets(cluster, members.accounts, members.users, context),
    renderHeadlessService(cluster),
    renderClientService(cluster),
    renderStatefulSet(cluster, context),
    renderPodDisruptionBudget(cluster),
    ...renderNetworkPolicy(cluster, context),
    ...members.users.flatMap((user) => renderUserCredentials(user, cluster, context)),
  ];
}
