// The StatefulSet that runs the servers. Parallel pod management (JetStream peers must all start to
// elect a leader; the field is immutable, so it is right from the first apply), a lame-duck preStop,
// /healthz probes, spread across nodes, non-root with a read-only root filesystem, certificates
// mounted as whole directories (never subPath: subPath mounts never see a renewed certificate).
import type { NatsCluster } from '../api/index.ts';
import type { RenderContext } from './context.ts';
import { ENV, PATHS, PORTS, podMounts } from './layout.ts';
import { childMeta, childNames, commonLabels, namespaceOf, selectorLabels } from './names.ts';
import { listensForRoutes } from './nats-conf.ts';
import { durationToSeconds } from './units.ts';
import { tlsRevisionAnnotation, TLS_REVISION_ANNOTATION } from './tls-revision.ts';
import { hash } from 'node:crypto';

/** On the StatefulSet: a digest of the desired pod template; a change starts a health-gated roll. */
export const TEMPLATE_HASH_ANNOTATION = 'natswarden.io/template-hash';
/** On the StatefulSet: the revision and certificates whose servers were all confirmed healthy. */
export const VERIFIED_ANNOTATION = 'natswarden.io/verified';
/**
 * On a lone JetStream server's pod template: it runs standalone, with no route listener. nats-server
 * cannot add or drop its cluster listener by reload (reload.go:2816-2824), so a change between the
 * two (JetStream turned on or off at one replica) must restart the server: it changes the template.
 */
export const STANDALONE_ANNOTATION = 'natswarden.io/standalone';

const NATS_UID = 1000;

export function needsDataVolume(cluster: NatsCluster): boolean {
  return cluster.spec.jetstream.enabled || cluster.spec.auth.mode === 'JWT';
}

interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string; defaultMode: number };
  emptyDir?: { medium?: string; sizeLimit?: string };
}

function volumes(cluster: NatsCluster): Volume[] {
  const names = childNames(cluster.metadata.name);
  return podMounts(cluster).flatMap(({ volume, source }): Volume[] => {
    if (source?.kind === 'ConfigMap') return [{ name: volume, configMap: { name: names[source.name] } }];
    if (source) return [{ name: volume, secret: { secretName: names[source.name], defaultMode: 0o440 } }];
    if (volume === 'run') return [{ name: volume, emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }];
    // The data volume is the volumeClaimTemplate when JetStream or the JWT resolver keeps state.
    return needsDataVolume(cluster) ? [] : [{ name: volume, emptyDir: {} }];
  });
}

/** Every volume mounted where podMounts says; only scratch space (no source) is writable. */
function volumeMounts(cluster: NatsCluster) {
  return podMounts(cluster).map(({ volume, path, source }) => ({
    name: volume,
    mountPath: path,
    readOnly: source !== undefined,
  }));
}

function env(cluster: NatsCluster, context: RenderContext) {
  const field = (name: string, fieldPath: string) => ({
    name,
    valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
  });
  const domain = `${childNames(cluster.metadata.name).headlessService}.${namespaceOf(cluster)}.svc.${context.clusterDomain}`;
  return [
    field(ENV.podName, 'metadata.name'),
    field(ENV.podNamespace, 'metadata.namespace'),
    field(ENV.podIP, 'status.podIP'),
    // Advertise names that the certificates carry, so clients and peers can verify them.
    { name: ENV.clientAdvertise, value: `$(${ENV.podName}).${domain}:${PORTS.client}` },
    { name: ENV.clusterAdvertise, value: `$(${ENV.podName}).${domain}:${PORTS.cluster}` },
  ];
}

function probes(cluster: NatsCluster) {
  const scheme = cluster.spec.tls.monitor.https ? 'HTTPS' : 'HTTP';
  // Without the monitoring port only the client listener can answer: it accepts, or the server is down.
  const get = (path: string) =>
    cluster.spec.monitoring.enabled
      ? { httpGet: { path, port: 'monitor', scheme } }
      : { tcpSocket: { port: 'client' } };
  return {
    startupProbe: { ...get('/healthz'), periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 90 },
    readinessProbe: {
      ...get('/healthz?js-server-only=true'),
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      ...get('/healthz?js-enabled-only=true'),
      periodSeconds: 30,
      timeoutSeconds: 10,
      failureThreshold: 3,
    },
  };
}

function natsContainer(cluster: NatsCluster, context: RenderContext) {
  return {
    name: 'nats',
    image: cluster.spec.image ?? context.defaultImage,
    args: ['--config', PATHS.confFile],
    env: env(cluster, context),
    ports: [
      { name: 'client', containerPort: PORTS.client, protocol: 'TCP' },
      { name: 'cluster', containerPort: PORTS.cluster, protocol: 'TCP' },
      ...(cluster.spec.monitoring.enabled
        ? [{ name: 'monitor', containerPort: PORTS.monitor, protocol: 'TCP' }]
        : []),
    ],
    ...probes(cluster),
    // Lame duck: stop accepting, move clients away over lameDuck.duration; SIGTERM is ignored meanwhile.
    lifecycle: { preStop: { exec: { command: ['nats-server', '--signal', `ldm=${PATHS.pidFile}`] } } },
    resources: cluster.spec.podTemplate.resources ?? {},
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: volumeMounts(cluster),
  };
}

/** The directories whose changes the reloader turns into a SIGHUP; certificates too under Reload. */
export function reloadedDirs(cluster: NatsCluster): string[] {
  const dirs: string[] = [PATHS.configDir, PATHS.authDir, PATHS.routesAuthDir];
  if (cluster.spec.tls.rotation.strategy === 'Reload')
    dirs.push(PATHS.serverCertDir, PATHS.routesCertDir, PATHS.trustDir);
  return dirs;
}

function reloaderContainer(cluster: NatsCluster, context: RenderContext) {
  const watched = new Set(reloadedDirs(cluster));
  return {
    name: 'reloader',
    image: context.operatorImage,
    args: ['reloader', '--pid-file', PATHS.pidFile, ...[...watched].flatMap((dir) => ['--watch', dir])],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '96Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: volumeMounts(cluster).filter(
      (m) => watched.has(m.mountPath) || m.mountPath === PATHS.runDir,
    ),
  };
}

function spreadAcrossNodes(cluster: NatsCluster) {
  return [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: selectorLabels(cluster) },
    },
  ];
}

export function terminationGracePeriodSeconds(cluster: NatsCluster): number {
  return (
    Math.ceil(
      durationToSeconds(cluster.spec.lameDuck.duration) +
        durationToSeconds(cluster.spec.lameDuck.gracePeriod),
    ) + 20
  );
}

function podTemplateAnnotations(cluster: NatsCluster, context: RenderContext): Record<string, string> {
  const annotations = { ...(cluster.spec.podTemplate.annotations ?? {}) };
  // Under Reload, new certificates are reloaded in place: they must not change the template.
  if (cluster.spec.tls.rotation.strategy === 'RollingRestart')
    annotations[TLS_REVISION_ANNOTATION] = tlsRevisionAnnotation(context);
  // Only when standalone, so that clusters with routes keep the template (and hash) they had.
  if (!listensForRoutes(cluster)) annotations[STANDALONE_ANNOTATION] = 'true';
  return annotations;
}

export function templateHash(template: object): string {
  return hash('sha256', JSON.stringify(template)).slice(0, 20);
}

/** The servers' pod template. Its hash (podTemplateHash) is what the health-gated roll compares. */
export function renderPodTemplate(cluster: NatsCluster, context: RenderContext) {
  const names = childNames(cluster.metadata.name);
  const template = cluster.spec.podTemplate;
  return {
    metadata: {
      labels: { ...(template.labels ?? {}), ...commonLabels(cluster, 'server') },
      annotations: podTemplateAnnotations(cluster, context),
    },
    spec: {
      serviceAccountName: names.serviceAccount,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The reloader signals nats-server, so the containers share one process namespace.
      shareProcessNamespace: true,
      terminationGracePeriodSeconds: terminationGracePeriodSeconds(cluster),
      securityContext: {
        runAsUser: NATS_UID,
        runAsGroup: NATS_UID,
        fsGroup: NATS_UID,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(template.affinity ? { affinity: template.affinity } : {}),
      topologySpreadConstraints: template.topologySpreadConstraints ?? spreadAcrossNodes(cluster),
      ...(template.nodeSelector ? { nodeSelector: template.nodeSelector } : {}),
      ...(template.tolerations ? { tolerations: template.tolerations } : {}),
      ...(template.priorityClassName ? { priorityClassName: template.priorityClassName } : {}),
      ...(template.imagePullSecrets ? { imagePullSecrets: template.imagePullSecrets } : {}),
      containers: [natsContainer(cluster, context), reloaderContainer(cluster, context)],
      volumes: volumes(cluster),
    },
  };
}

/** The digest the StatefulSet carries in TEMPLATE_HASH_ANNOTATION, without rendering the rest. */
export const podTemplateHash = (cluster: NatsCluster, context: RenderContext): string =>
  templateHash(renderPodTemplate(cluster, context));

export function renderStatefulSet(cluster: NatsCluster, context: RenderContext) {
  const names = childNames(cluster.metadata.name);
  const podTemplate = renderPodTemplate(cluster, context);
  const claim = cluster.spec.jetstream.enabled
    ? cluster.spec.jetstream.fileStorage
    : { size: '1Gi', storageClassName: undefined };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(cluster, names.statefulSet, 'server', {
      annotations: {
        [TEMPLATE_HASH_ANNOTATION]: templateHash(podTemplate),
        ...(context.verifiedKey ? { [VERIFIED_ANNOTATION]: context.verifiedKey } : {}),
      },
    }),
    spec: {
      serviceName: names.headlessService,
      replicas: cluster.spec.replicas,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: context.partition ?? 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: selectorLabels(cluster) },
      template: podTemplate,
      volumeClaimTemplates: needsDataVolume(cluster)
        ? [
            {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              metadata: { name: 'data', labels: selectorLabels(cluster) },
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: claim.size } },
                ...(claim.storageClassName ? { storageClassName: claim.storageClassName } : {}),
              },
            },
          ]
        : [],
    },
  };
}
