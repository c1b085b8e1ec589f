import { lookup } from 'node:dns/promises';
import { BlockList, isIPv6 } from 'node:net';
import { ConfigError, p, readSection, z, type ConfigElement, type Logger } from '../plugin-api/index.ts';
import type { Peer } from './peer.ts';

/** in_tcp's <security><client host|network>: the clients allowed to connect. */
const clientParams = z.object({
  host: p.string().optional().describe('A client\'s IP address or host name (resolved at start).'),
  network: p.string().optional().describe('A client network, e.g. 192.168.0.0/24.'),
});

/** Builds the allow-list of <security>'s <client>s; undefined when there is no <security> (everyone may connect). */
export async function readClientFilter(conf: ConfigElement, log: Logger): Promise<((peer: Peer) => boolean) | undefined> {
  const security = conf.elements.find((e) => e.name === 'security');
  if (!security) return undefined;
  const clients = security.elements.filter((e) => e.name === 'client');
  if (clients.length === 0) throw new ConfigError("'<client>' sections are required in <security>", { location: security.location, section: 'security' });
  const allowed = new BlockList();
  for (const client of clients) {
    const fail = (message: string) => new ConfigError(message, { location: client.location, section: 'client' });
    const { host, network } = readSection(clientParams, client, { log });
    if (host !== undefined && network !== undefined) throw fail("both of 'host' and 'network' are specified for client");
    if (host === undefined && network === undefined) throw fail("Either of 'host' and 'network' must be specified for client");
    let address = network!;
    if (host !== undefined) {
      try {
        address = (await lookup(host)).address;
      } catch {
        throw fail(`host '${host}' cannot be resolved`);
      }
    }
    const [ip, prefix] = address.split('/');
    const type = isIPv6(ip!) ? 'ipv6' : 'ipv4';
    try {
      if (prefix === undefined) allowed.addAddress(ip!, type);
      else allowed.addSubnet(ip!, Number(prefix), type);
    } catch {
      throw fail(`network '${network}' address format is invalid`);
    }
  }
  return (peer) => {
    const ok = allowed.check(peer.address, isIPv6(peer.address) ? 'ipv6' : 'ipv4');
    if (!ok) log.warn({ host: peer.address }, `anonymous client '${peer.address}' denied`);
    return ok;
  };
}
