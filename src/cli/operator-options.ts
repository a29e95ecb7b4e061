// The operator's flags and the environment variables it reads, defined once: parseOperatorArgs
// parses with these definitions, `nats-warden operator --help` prints them, and docs/operator.md's
// table is generated from them (operator-options.test.ts fails when the table drifts). No Kubernetes
// client here, so --help starts fast and the unit tests can load it.
import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_NATS_IMAGE,
  DEFAULT_OPERATOR_NAMESPACE,
  OPERATOR_IMAGE,
} from '../render/index.ts';
import type { ReconcilerOptions } from '../controllers/natscluster/reconciler.ts';
import type { ManagerOptions } from '../runtime/manager.ts';
import { parseOptions } from './args.ts';
import { InputError } from './documents.ts';

export type OperatorOptions = ManagerOptions & ReconcilerOptions;

export interface FlagDefinition {
  flag: string;
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** How the value is written in the help (`NS`, `HOST:PORT`). */
  value?: string;
  /** The default as users read it (the environment variable it falls back to, if any). */
  default: string;
  /** The chart value that sets it, when the chart does. */
  chartValue?: string;
  description: string;
}

export const OPERATOR_FLAGS: FlagDefinition[] = [
  {
    flag: 'namespace',
    short: 'n',
    type: 'string',
    multiple: true,
    value: 'NS',
    default: 'every namespace',
    chartValue: 'watchNamespaces',
    description: 'watch only this namespace (repeat for several); the RBAC then needs only a Role in each',
  },
  {
    flag: 'health-addr',
    type: 'string',
    value: 'HOST:PORT',
    default: '0.0.0.0:8081',
    chartValue: 'metrics.port',
    description: 'where /metrics (Prometheus), /healthz and /readyz are served',
  },
  {
    flag: 'no-leader-election',
    type: 'boolean',
    default: 'leader election on',
    chartValue: 'leaderElection.enabled: false',
    description: 'reconcile without a Lease; only for a single replica',
  },
  {
    flag: 'leader-election-namespace',
    type: 'string',
    value: 'NS',
    default: '$POD_NAMESPACE, else default',
    chartValue: 'the release namespace',
    description: 'namespace of the leader Lease nats-warden-leader',
  },
  {
    flag: 'identity',
    type: 'string',
    value: 'NAME',
    default: '$POD_NAME, else the host name and process id',
    description: "this replica's name in the leader Lease",
  },
  {
    flag: 'operator-namespace',
    type: 'string',
    value: 'NS',
    default: `$POD_NAMESPACE, else ${DEFAULT_OPERATOR_NAMESPACE}`,
    chartValue: 'the release namespace',
    description: "the operator's own namespace (the NATS servers' NetworkPolicy admits its pods from there)",
  },
  {
    flag: 'cluster-domain',
    type: 'string',
    value: 'DOMAIN',
    default: DEFAULT_CLUSTER_DOMAIN,
    chartValue: 'clusterDomain',
    description: "the cluster's DNS domain, in the servers' names and certificates",
  },
  {
    flag: 'nats-image',
    type: 'string',
    value: 'IMAGE',
    default: DEFAULT_NATS_IMAGE,
    chartValue: 'natsImage',
    description: 'the nats-server image of NatsClusters that name none',
  },
  {
    flag: 'reloader-image',
    type: 'string',
    value: 'IMAGE',
    default: OPERATOR_IMAGE,
    chartValue: "the operator's image (image.*)",
    description:
      "the image of the reloader sidecar in every nats-server pod (this operator's image; a mirror or digest must name it)",
  },
  {
    flag: 'workers',
    type: 'string',
    value: 'N',
    default: '2',
    chartValue: 'workers',
    description: 'reconciles run in parallel per controller',
  },
  {
    flag: 'kubeconfig',
    type: 'string',
    value: 'PATH',
    default: '$KUBECONFIG, else ~/.kube/config, else in-cluster',
    description: 'the API server and credentials to use',
  },
  { flag: 'help', short: 'h', type: 'boolean', default: '', description: 'print this and exit' },
];

export interface EnvDefinition {
  name: string;
  default: string;
  chartValue?: string;
  description: string;
}

/** Every environment variable src/ reads (operator-options.test.ts greps src/ for process.env). */
export const OPERATOR_ENV: EnvDefinition[] = [
  {
    name: 'LOG_LEVEL',
    default: 'info',
    chartValue: 'logLevel',
    description: 'trace, debug, info, warn, error or fatal (JSON lines on stdout)',
  },
  {
    name: 'POD_NAME',
    default: 'unset',
    chartValue: 'set from the pod (downward API)',
    description: "default of --identity; the reporting instance of the operator's Events",
  },
  {
    name: 'POD_NAMESPACE',
    default: 'unset',
    chartValue: 'set from the pod (downward API)',
    description: 'default of --leader-election-namespace and --operator-namespace',
  },
  {
    name: 'KUBECONFIG',
    default: 'unset',
    description: 'the kubeconfig when --kubeconfig is not given (read by the Kubernetes client)',
  },
  {
    name: 'NATS_SERVER_BIN',
    default: 'nats-server on PATH',
    description:
      'the nats-server that checks each rendered configuration (`nats-server -t`) before it is applied; without one the check is skipped and logged',
  },
  {
    name: 'PATH',
    default: 'the process PATH',
    description: 'searched for nats-server when NATS_SERVER_BIN is unset',
  },
];

const flagUsage = (f: FlagDefinition) =>
  `${f.short ? `-${f.short}, ` : ''}--${f.flag}${f.value ? ` ${f.value}` : ''}${f.multiple ? ' ...' : ''}`;

/** `nats-warden operator --help`. */
export function operatorHelp(): string {
  const flags = OPERATOR_FLAGS.map(
    (f) =>
      `  ${flagUsage(f)}\n      ${f.description}${f.default ? ` (default: ${f.default})` : ''}` +
      `${f.chartValue ? ` [chart: ${f.chartValue}]` : ''}\n`,
  ).join('');
  const env = OPERATOR_ENV.map(
    (e) =>
      `  ${e.name}\n      ${e.description} (default: ${e.default})` +
      `${e.chartValue ? ` [chart: ${e.chartValue}]` : ''}\n`,
  ).join('');
  return (
    'usage: nats-warden operator [flags]\n' +
    'Runs the operator until SIGTERM or SIGINT.\n\nflags:\n' +
    flags +
    '\nenvironment:\n' +
    env
  );
}

const cell = (s: string) => s.replaceAll('|', '\\|');

/** The table in docs/operator.md, between its generated-table markers. */
export function operatorOptionsTable(): string {
  const rows = [
    ...OPERATOR_FLAGS.map((f) => [`\`${flagUsage(f)}\``, f.default, f.chartValue ?? '', f.description]),
    ...OPERATOR_ENV.map((e) => [`env \`${e.name}\``, e.default, e.chartValue ?? '', e.description]),
  ];
  return [
    '| flag or environment variable | default | chart value | what |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

type ParsedFlags = Record<string, string | boolean | string[] | undefined>;

export function parseOperatorFlags(argv: string[]): ParsedFlags {
  const options = Object.fromEntries(
    OPERATOR_FLAGS.map((f) => [
      f.flag,
      { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) },
    ]),
  );
  return parseOptions(argv, options) as ParsedFlags;
}

export function parseOperatorArgs(argv: string[], env = process.env): OperatorOptions {
  const v = parseOperatorFlags(argv);
  const str = (name: string) => v[name] as string | undefined;
  const [host, port] = (str('health-addr') ?? '0.0.0.0:8081').split(':');
  const identity = str('identity') ?? env.POD_NAME;
  return {
    ...(str('kubeconfig') ? { kubeconfig: str('kubeconfig') } : {}),
    namespaces: (v.namespace as string[] | undefined) ?? [],
    healthHost: host || '0.0.0.0',
    healthPort: Number(port),
    leaderElection: !v['no-leader-election'],
    leaseNamespace: str('leader-election-namespace') ?? env.POD_NAMESPACE ?? 'default',
    ...(identity ? { identity } : {}),
    clusterDomain: str('cluster-domain') ?? DEFAULT_CLUSTER_DOMAIN,
    defaultImage: str('nats-image') ?? DEFAULT_NATS_IMAGE,
    operatorImage: str('reloader-image') ?? OPERATOR_IMAGE,
    operatorNamespace: str('operator-namespace') ?? env.POD_NAMESPACE ?? DEFAULT_OPERATOR_NAMESPACE,
    workers: positiveInteger('--workers', str('workers') ?? '2'),
  };
}

/** A count that must be a whole number of at least 1 (NaN workers would mean none at all). */
function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InputError(`${flag}: expected a whole number of at least 1, got ${JSON.stringify(text)}`);
  return value;
}
