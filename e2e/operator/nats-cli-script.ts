// A shell script for a round trip with the nats CLI. Interest registers asynchronously, so a fixed
// sleep between `sub &` and `pub` is a guess that a busy machine loses (the subscriber then waits
// forever: a fresh-clone CI run timed out on it). Publish once a second while the subscriber still
// waits instead, bounded both ways; the script exits 0 only if the subscriber printed the payload.
export function subscribeThenPublish(nats: string, subject: string, payload: string, out: string): string {
  return [
    `${nats} sub ${subject} --count 1 --wait 90s > ${out} 2>&1 & sub=$!`,
    `i=0; while kill -0 $sub 2>/dev/null && [ $i -lt 60 ]; do ${nats} pub ${subject} ${payload}; i=$((i+1)); sleep 1; done`,
    `wait $sub; cat ${out}; grep -q ${payload} ${out}`,
  ].join('\n');
}
