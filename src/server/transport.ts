import type { TlsOptions } from 'node:tls';
import { ConfigError, p, readSection, type ConfigElement, type Logger } from '../plugin-api/index.ts';
import { serverTlsOptions, serverTransportParams } from '../forward/tls.ts';

/** The server helper's <transport> section, where UDP inputs also take receive_buffer_size (dgram can set it). */
export const transportParams = serverTransportParams.extend({
  receive_buffer_size: p.size().optional().describe('SO_RCVBUF of the UDP socket (udp only).'),
});

/** The README line for a <transport> section that takes these protocols. */
export function transportDescription(protocols: readonly string[], linger = true): string {
  const parts = [];
  if (protocols.includes('tls')) parts.push('tls: cert_path, private_key_path, private_key_passphrase, ca_path, client_cert_auth, version, min_version, max_version, ciphers, insecure');
  if (linger && (protocols.includes('tcp') || protocols.includes('tls'))) parts.push('linger_timeout');
  if (protocols.includes('udp')) parts.push('udp: receive_buffer_size');
  return `\`<transport ${protocols.join('|')}>\`: ${parts.join('; ')}.`;
}

export interface Transport {
  protocol: string;
  tls: TlsOptions | undefined;
  lingerTimeout: number;
  receiveBufferSize: number | undefined;
}

/** Reads <transport PROTOCOL> (at most once) for an input that allows `protocols`; errors name the section. */
export function readTransport(conf: ConfigElement, log: Logger, protocols: readonly string[], fallback: string): Transport {
  const sections = conf.elements.filter((e) => e.name === 'transport');
  if (sections.length > 1) throw new ConfigError('<transport> may appear only once', { location: sections[1]!.location, section: 'transport' });
  const section = sections[0];
  const fail = (message: string, param?: string) =>
    new ConfigError(message, { location: (param && section?.attrLocations[param]) || section?.location || conf.location, section: 'transport', param });
  const t = readSection(transportParams, section ?? { ...conf, attrs: {}, elements: [], nils: new Set() }, { log });
  const protocol = section?.arg || fallback;
  if (!protocols.includes(protocol)) throw fail(`valid options are ${protocols.join(',')} but got ${protocol}`);
  if (t.receive_buffer_size !== undefined && protocol !== 'udp') throw fail('receive_buffer_size: Node cannot set SO_RCVBUF on accepted TCP sockets (udp only)', 'receive_buffer_size');
  let tls: TlsOptions | undefined;
  if (protocol === 'tls') {
    try {
      tls = serverTlsOptions({ ...t, receive_buffer_size: undefined });
    } catch (err) {
      throw fail((err as Error).message);
    }
    if (t.private_key_passphrase === undefined) log.warn({}, 'For security reason, setting private_key_passphrase is recommended when cert_path is specified');
  }
  return { protocol, tls, lingerTimeout: t.linger_timeout, receiveBufferSize: t.receive_buffer_size };
}
