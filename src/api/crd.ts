// Builds the CustomResourceDefinitions from the TypeBox schemas (ADR 1): structural OpenAPI v3
// (every node typed; no anyOf/const/patternProperties, which CRDs reject), defaults kept and dropped
// from `required`, CEL rules kept, plus names, printer columns, the status subresource and category.
import type { TSchema } from '@sinclair/typebox';
import { GROUP, VERSION } from './common.ts';
import { NatsAccountSpec, NatsAccountStatus } from './natsaccount.ts';
import { NatsClusterSpec, NatsClusterStatus } from './natscluster.ts';
import { NatsUserSpec, NatsUserStatus } from './natsuser.ts';

type Json = Record<string, unknown>;

const KEEP = [
  'type',
  'description',
  'enum',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'default',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
];

/** TypeBox schema -> structural OpenAPI v3 as Kubernetes accepts it. */
export function structural(schema: TSchema | Json): Json {
  const s = schema as Json;
  const out: Json = {};
  for (const key of KEEP) if (s[key] !== undefined) out[key] = s[key];
  if (s.const !== undefined) Object.assign(out, { type: typeof s.const, enum: [s.const] });
  if (Array.isArray(s.anyOf) && (s.anyOf as Json[]).every((a) => a.const !== undefined)) {
    Object.assign(out, {
      type: typeof (s.anyOf as Json[])[0]?.const,
      enum: (s.anyOf as Json[]).map((a) => a.const),
    });
  }
  if (s.type === 'object' && s.properties) {
    const properties = s.properties as Record<string, Json>;
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, structural(v)]));
    const required = ((s.required as string[] | undefined) ?? []).filter(
      (k) => properties[k]?.default === undefined,
    );
    if (required.length) out.required = required;
  }
  if (s.type === 'object' && s.patternProperties) {
    const [valueSchema] = Object.values(s.patternProperties as Record<string, Json>);
    out.additionalProperties = structural(valueSchema ?? { type: 'string' });
  }
  if (s.type === 'array' && s.items) out.items = structural(s.items as Json);
  return out;
}

interface Column {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
}

interface KindInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  spec: TSchema;
  status: TSchema;
  columns: Column[];
}

const age: Column = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const condition = (type: string): Column => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});

export const KINDS: KindInfo[] = [
  {
    kind: 'NatsCluster',
    plural: 'natsclusters',
    singular: 'natscluster',
    shortNames: ['natsc'],
    spec: NatsClusterSpec,
    status: NatsClusterStatus,
    columns: [
      condition('Ready'),
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready Replicas', type: 'integer', jsonPath: '.status.readyReplicas' },
      { name: 'Auth', type: 'string', jsonPath: '.spec.auth.mode' },
      {
        name: 'Reason',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
        priority: 1,
      },
      age,
    ],
  },
  {
    kind: 'NatsAccount',
    plural: 'natsaccounts',
    singular: 'natsaccount',
    shortNames: ['nacct'],
    spec: NatsAccountSpec,
    status: NatsAccountStatus,
    columns: [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name' },
      condition('Ready'),
      age,
    ],
  },
  {
    kind: 'NatsUser',
    plural: 'natsusers',
    singular: 'natsuser',
    shortNames: ['nuser'],
    spec: NatsUserSpec,
    status: NatsUserStatus,
    columns: [
      { name: 'Account', type: 'string', jsonPath: '.spec.accountRef.name' },
      { name: 'Type', type: 'string', jsonPath: '.spec.authType' },
      { name: 'Secret', type: 'string', jsonPath: '.status.secretName' },
      condition('Ready'),
      age,
    ],
  },
];

export function crdFor(info: KindInfo): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'nats-warden' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: ['nats-warden'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: info.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${info.kind} of nats-warden (${GROUP}/${VERSION}).`,
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: structural(info.spec),
                status: structural(info.status),
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}
