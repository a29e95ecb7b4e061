// Where the demo's pods go. When the cluster's real nodes are tainted (NATS_WARDEN_REAL_NODES=1,
// beside the process kubelet's nodes) the operator's and the servers' pods must tolerate the taint
// and select those nodes; when the real nodes are the only ones (=only, untainted) nothing is added.
// The patch follows the taint the nodes carry, so removing the taint removes the patch. Pure.

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeLike {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { taints?: Taint[] };
}

export interface Placement {
  tolerations: { key: string; operator: 'Equal'; value: string; effect: string }[];
  nodeSelector: Record<string, string>;
}

/** The toleration and node selector that put pods on the nodes tainted `taintKey` (they carry a label of the same key), or undefined when no node is. */
export function placementFor(nodes: NodeLike[], taintKey: string): Placement | undefined {
  for (const node of nodes) {
    const taint = node.spec?.taints?.find((t) => t.key === taintKey);
    if (!taint) continue;
    const value = taint.value ?? '';
    const label = node.metadata.labels?.[taintKey];
    if (label === undefined)
      throw new Error(
        `node ${node.metadata.name} is tainted ${taintKey} but has no label ${taintKey} to select it by`,
      );
    return {
      tolerations: [{ key: taintKey, operator: 'Equal', value, effect: taint.effect }],
      nodeSelector: { [taintKey]: label },
    };
  }
  return undefined;
}

type Doc = { kind?: string; spec?: Record<string, unknown> } & Record<string, unknown>;

/** The documents with the placement set on every Deployment's pod template and every NatsCluster's podTemplate; unchanged without one. */
export function withPlacement<T extends Doc>(docs: T[], placement: Placement | undefined): T[] {
  if (!placement) return docs;
  return docs.map((doc) => {
    if (doc.kind === 'Deployment') {
      const template = (doc.spec?.template ?? {}) as { spec?: Record<string, unknown> };
      return {
        ...doc,
        spec: { ...doc.spec, template: { ...template, spec: { ...template.spec, ...placement } } },
      };
    }
    if (doc.kind === 'NatsCluster') {
      const podTemplate = (doc.spec?.podTemplate ?? {}) as Record<string, unknown>;
      return { ...doc, spec: { ...doc.spec, podTemplate: { ...podTemplate, ...placement } } };
    }
    return doc;
  });
}
