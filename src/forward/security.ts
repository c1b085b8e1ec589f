import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ConfigError, p, readSection, z, type ConfigElement, type Logger } from '../plugin-api/index.ts';
import type { ServerSecurity } from './handshake.ts';

export const serverSecurityParams = z.object({
  self_hostname: p.string().describe('The host name this side presents in PONG (required).'),
  shared_key: p.secret().describe('The key both sides must know (required).'),
  user_auth: p.bool().default(false).describe('Also require a <user> username and password.'),
  allow_anonymous_source: p.bool().default(true).describe('Admit clients that match no <client>.'),
});

export const userParams = z.object({
  username: p.string().describe('User name (required).'),
  password: p.secret().describe('Password (required).'),
});

export const clientParams = z.object({
  host: p.string().optional().describe('The client\'s IP address or host name (resolved at start).'),
  network: p.string().optional().describe('The client network, e.g. 192.168.0.0/24.'),
  shared_key: p.secret().optional().describe('This client\'s key instead of <security> shared_key.'),
  users: p.array('string').default([]).describe('Usernames this client may use; empty: any <user>.'),
});

/** Reads in_forward's <security> with its <user> and <client> sections, with Fluentd's configure checks. */
export async function readServerSecurity(conf: ConfigElement, log: Logger): Promise<ServerSecurity | undefined> {
  const sections = conf.elements.filter((e) => e.name === 'security');
  if (sections.length === 0) return undefined;
  if (sections.length > 1) throw new ConfigError('<security> may appear only once', { location: sections[1]!.location, section: 'security' });
  const el = sections[0]!;
  const s = readSection(serverSecurityParams, el, { log });
  for (const sub of el.elements) {
    if (sub.name !== 'user' && sub.name !== 'client') log.warn({ file: sub.location.file, line: sub.location.line }, `section <${sub.name}> is not used in <security>`);
  }
  const users = el.elements.filter((e) => e.name === 'user').map((u) => readSection(userParams, u, { log }));
  const fail = (message: string, where: ConfigElement) => new ConfigError(message, { location: where.location, section: where.name });
  if (s.user_auth && users.length === 0) throw fail('<user> sections required if user_auth enabled', el);
  const clientEls = el.elements.filter((e) => e.name === 'client');
  if (!s.allow_anonymous_source && clientEls.length === 0) throw fail('<client> sections required if allow_anonymous_source disabled', el);
  const clients: ServerSecurity['clients'] = [];
  for (const cEl of clientEls) {
    const c = readSection(clientParams, cEl, { log });
    if (c.host !== undefined && c.network !== undefined) throw fail("both of 'host' and 'network' are specified for client", cEl);
    if (c.host === undefined && c.network === undefined) throw fail("Either of 'host' and 'network' must be specified for client", cEl);
    const list = new BlockList();
    if (c.host !== undefined) {
      let address: string;
      try {
        address = isIP(c.host) ? c.host : (await lookup(c.host)).address;
      } catch {
        throw fail(`host '${c.host}' cannot be resolved`, cEl);
      }
      list.addAddress(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
    } else {
      const [addr, bits] = c.network!.split('/');
      const family = isIP(addr ?? '');
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        throw fail(`network '${c.network}' address format is invalid`, cEl);
      }
      list.addSubnet(addr!, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
    clients.push({
      matches: (address) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'),
      sharedKey: c.shared_key ?? s.shared_key,
      users: c.users as string[],
    });
  }
  return {
    selfHostname: s.self_hostname, sharedKey: s.shared_key, userAuth: s.user_auth, allowAnonymousSource: s.allow_anonymous_source,
    users, clients,
  };
}
