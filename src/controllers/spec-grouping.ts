// Names of a namespace's objects grouped by keys taken from their specs (the users of an account,
// the importers of an exporter), without a scan of every object on each event or reconcile.
import type { Reader } from '../runtime/controller.ts';

interface Grouping {
  specs: number;
  names: Map<string, string[]>;
}
/** keysOf -> reader -> namespace -> grouping. */
const groupings = new WeakMap<object, WeakMap<object, Map<string, Grouping>>>();

/**
 * The names of a namespace's objects grouped by keys taken from their specs, rebuilt only when the
 * reader's specVersion moves (an object added or deleted, or a spec changed): status, label and
 * finalizer writes reuse it. One grouping per reader, namespace and `keysOf`.
 */
export function groupedBySpec<T extends { metadata: { name: string } }>(
  reader: Reader<T>,
  namespace: string,
  keysOf: (o: T) => Iterable<string>,
): Map<string, string[]> {
  let byReader = groupings.get(keysOf);
  if (!byReader) groupings.set(keysOf, (byReader = new WeakMap()));
  let byNamespace = byReader.get(reader);
  if (!byNamespace) byReader.set(reader, (byNamespace = new Map()));
  const specs = reader.specVersion();
  const known = byNamespace.get(namespace);
  if (known?.specs === specs) return known.names;
  const names = new Map<string, string[]>();
  for (const o of reader.list(namespace))
    for (const key of new Set(keysOf(o))) {
      const list = names.get(key);
      if (list) list.push(o.metadata.name);
      else names.set(key, [o.metadata.name]);
    }
  byNamespace.set(namespace, { specs, names });
  return names;
}
