import { reverse } from 'node:dns/promises';

/** The sender of a message: what source_address_key and source_hostname_key write. */
export interface Peer {
  address: string;
  /** The reverse-DNS name when resolve_hostname asked for it and one exists; else the address (as Fluentd). */
  hostname: string;
  port: number;
}

export function peerOf(remoteAddress: string | undefined, port: number | undefined): Peer {
  const address = (remoteAddress ?? '').replace(/^::ffff:/, '');
  return { address, hostname: address, port: port ?? 0 };
}

/** Fills peer.hostname by reverse DNS; a failed lookup leaves the address. */
export async function resolveHostname(peer: Peer): Promise<void> {
  try {
    const names = await reverse(peer.address);
    if (names[0]) peer.hostname = names[0];
  } catch {
    // no PTR record: Fluentd's remote_host is the address then too
  }
}
