// Whether this process runs in the cluster's own network namespace: the harness says so
// (NATS_WARDEN_NETNS, set by harness/netns.sh) and the kernel agrees (this process's network
// namespace is not the one the machine booted with, PID 1's). A variable that leaked into a host
// shell must never let a node put a bridge, iptables rules or a forwarding switch on the host.
import { readlinkSync } from 'node:fs';

export function inClusterNetns(): boolean {
  if (!process.env.NATS_WARDEN_NETNS) return false;
  try {
    return readlinkSync('/proc/self/ns/net') !== readlinkSync('/proc/1/ns/net');
  } catch {
    return false; // PID 1's namespace unreadable: not provably private
  }
}
