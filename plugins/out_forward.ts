import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { gzipSync } from 'node:zlib';
import { ConfigError, defineOutput, p, readSection, z, type ConfigElement } from '../src/plugin-api/index.ts';
import { pack } from '../src/forward/codec.ts';
import { LoadBalancer } from '../src/forward/load-balancer.ts';
import { ForwardNode, type SenderSettings } from '../src/forward/node.ts';
import { CIPHERS_DEFAULT, clientTls, tlsVersion } from '../src/forward/tls.ts';

const windowsOnly = 'it reads the Windows certificate store';

const serverParams = z.object({
  host: p.string().describe('The server\'s address or host name (required).'),
  name: p.string().optional().describe('A name for logs, and the TLS certificate name when host is an address.'),
  port: p.integer().default(24224).describe('The server\'s port.'),
  shared_key: p.secret().optional().describe('This server\'s shared key instead of <security> shared_key.'),
  username: p.string().default('').describe('User name for in_forward\'s user_auth.'),
  password: p.secret().default('').describe('Password for in_forward\'s user_auth.'),
  standby: p.bool().default(false).describe('Used only while regular servers are down.'),
  weight: p.integer().default(60).describe('Load-balancing weight.'),
});

const securityParams = z.object({
  self_hostname: p.string().describe('The host name this side presents in PING (required).'),
  shared_key: p.secret().describe('The shared key (required).'),
});

/**
 * Fluentd's out_forward: each buffer chunk goes to one <server> (weighted round-robin, standby servers only while
 * regular ones are down) as one PackedForward frame, its entries as str32 exactly as the chunk holds them. With
 * require_ack_response the write completes only when the server acked the chunk; a timeout fails the write, so the
 * chunk stays in the buffer and is sent again (or goes to <secondary>).
 */
export default defineOutput({
  type: 'forward',
  description: 'Sends buffer chunks to in_forward servers (Fluentd, Fluent Bit, logferry): load balancing, heartbeats, acks, TLS, shared key.',
  params: z.object({
    transport: p.enum(['tcp', 'tls']).default('tcp').describe('tcp, or tls (with the tls_* parameters).'),
    send_timeout: p.time().default(60).describe('A write that does not complete in this long fails.'),
    connect_timeout: p.time().optional().describe('A connect that does not complete in this long fails (unset: the system\'s).'),
    heartbeat_type: p.enum(['transport', 'tcp', 'udp', 'none']).default('transport').describe('transport: a connection (and handshake) is the heartbeat; udp: a datagram answered by in_forward; none: servers are always up.'),
    heartbeat_interval: p.time().default(1).describe('Seconds between heartbeats.'),
    recover_wait: p.time().default(10).describe('Heartbeats for this long bring a detached server back.'),
    hard_timeout: p.time().default(60).describe('A server with no heartbeat for this long is detached.'),
    phi_threshold: p.integer().default(16).describe('The phi above which a server is detached.'),
    phi_failure_detector: p.bool().default(true).describe('Use the phi accrual failure detector.'),
    require_ack_response: p.bool().default(false).describe('At-least-once: a chunk leaves the buffer only when the server acked it.'),
    ack_response_timeout: p.time().default(190).describe('How long to wait for the ack before the chunk is sent again.'),
    read_interval_msec: p.unsupported('acks are read as they arrive, there is no polling interval'),
    read_length: p.unsupported('acks are read as they arrive'),
    expire_dns_cache: p.time().optional().describe('Seconds a resolved address is kept (0: resolve every time; unset: forever).'),
    dns_round_robin: p.bool().default(false).describe('Pick a random address of the host\'s (heartbeat_type transport or none).'),
    ignore_network_errors_at_startup: p.bool().default(false).describe('Start even if a host does not resolve (it is detached).'),
    verify_connection_at_startup: p.bool().default(false).describe('Refuse to start unless every server accepts a connection (and handshake).'),
    compress: p.enum(['text', 'gzip', 'zstd']).default('text').describe('gzip: CompressedPackedForward.'),
    time_as_integer: p.bool().default(false).describe('Send times as integer seconds (for Fluentd before 0.14) instead of EventTime.'),
    tls_version: tlsVersion().default('TLSv1_2').describe('The TLS version.'),
    tls_ciphers: p.string().default(CIPHERS_DEFAULT).describe('OpenSSL cipher list.'),
    tls_insecure_mode: p.bool().default(false).describe('Skip all certificate checks.'),
    tls_allow_self_signed_cert: p.bool().default(false).describe('Accept a self-signed server certificate.'),
    tls_verify_hostname: p.bool().default(true).describe('Check that the certificate names the server.'),
    tls_ca_cert_path: p.array('string').optional().describe('CA certificates to trust besides the system\'s.'),
    tls_cert_path: p.array('string').optional().describe('Same as tls_ca_cert_path (its older name).'),
    tls_client_cert_path: p.string().optional().describe('Client certificate (for client_cert_auth).'),
    tls_client_private_key_path: p.string().optional().describe('Private key of the client certificate.'),
    tls_client_private_key_passphrase: p.secret().optional().describe('Passphrase of that key.'),
    tls_cert_thumbprint: p.unsupported(windowsOnly),
    tls_cert_logical_store_name: p.unsupported(windowsOnly),
    tls_cert_use_enterprise_store: p.unsupported(windowsOnly),
    keepalive: p.bool().default(false).describe('Keep the connection to each server open between chunks.'),
    keepalive_timeout: p.time().optional().describe('Reconnect after a kept connection was idle this long (unset: never).'),
    send_keepalive_packet: p.bool().default(false).describe('TCP keepalive probes on connections (needs keepalive).'),
    host: p.unsupported('obsoleted in Fluentd: use <server> host'),
    port: p.unsupported('obsoleted in Fluentd: use <server> port'),
  }),
  sections: {
    server: { description: 'A destination: host, port, name, weight, standby, shared_key, username, password.', params: serverParams, multi: true, required: true },
    security: { description: 'The client side of the shared-key handshake: self_hostname, shared_key.', params: securityParams },
  },
  helpers: ['buffer'],
  buffer: { chunkKeys: ['tag'] },
  async create(ctx, params, conf) {
    const fail = (message: string, param?: string, where: ConfigElement = conf) =>
      new ConfigError(message, { location: (param && where.attrLocations[param]) || where.location, section: where.name, param });
    if (!ctx.buffer || !ctx.buffer.chunkKeys.includes('tag')) throw fail("buffer chunk key must include 'tag' for forward output");
    if (params.compress === 'zstd') throw fail('compress zstd is not supported by logferry (Node 20 has no zstd); use gzip', 'compress');
    let heartbeatType = params.heartbeat_type;
    if (heartbeatType === 'tcp') {
      ctx.log.warn({}, "'heartbeat_type tcp' is deprecated. use 'transport' instead.");
      heartbeatType = 'transport';
    }
    if (params.dns_round_robin && heartbeatType === 'udp') {
      throw fail("forward output heartbeat type must be 'transport' or 'none' to use dns_round_robin option", 'dns_round_robin');
    }
    if (!params.keepalive && params.keepalive_timeout !== undefined) {
      ctx.log.warn({}, 'The value of keepalive_timeout is ignored. if you want to use keepalive, please add `keepalive true` to your conf.');
    }
    if (params.send_keepalive_packet && !params.keepalive) {
      throw fail("'send_keepalive_packet' is enabled but 'keepalive' is not. Enable 'keepalive' to use TCP keepalive.", 'send_keepalive_packet');
    }
    if (params.ack_response_timeout < 1) throw fail('ack_response_timeout must be a positive integer', 'ack_response_timeout');
    if (!(params.heartbeat_interval > 0)) throw fail('heartbeat_interval must be greater than 0', 'heartbeat_interval');
    let tls;
    if (params.transport === 'tls') {
      if (params.tls_insecure_mode) ctx.log.warn({}, 'TLS transport is configured in insecure way');
      try {
        tls = clientTls(params);
      } catch (err) {
        throw fail((err as Error).message, 'tls_ca_cert_path');
      }
    }
    const securityEl = conf.elements.find((e) => e.name === 'security');
    const security = securityEl ? readSection(securityParams, securityEl, { log: ctx.log }) : undefined;
    const settings: SenderSettings = {
      heartbeatType, heartbeatInterval: params.heartbeat_interval, hardTimeout: params.hard_timeout,
      phiFailureDetector: params.phi_failure_detector, phiThreshold: params.phi_threshold, recoverWait: params.recover_wait,
      ackResponseTimeout: params.ack_response_timeout, sendTimeout: params.send_timeout, connectTimeout: params.connect_timeout,
      expireDnsCache: params.expire_dns_cache, dnsRoundRobin: params.dns_round_robin,
      keepalive: params.keepalive, keepaliveTimeout: params.keepalive_timeout, sendKeepalivePacket: params.send_keepalive_packet,
      tls, security: security && { selfHostname: security.self_hostname, sharedKey: security.shared_key },
    };
    const serverEls = conf.elements.filter((e) => e.name === 'server');
    if (serverEls.length === 0) throw fail('forward output plugin requires at least one node is required. Add <server> or <service_discovery>');
    const nodes: ForwardNode[] = [];
    for (const el of serverEls) {
      const s = readSection(serverParams, el, { log: ctx.log });
      const node = new ForwardNode({
        host: s.host, port: s.port, name: s.name, weight: s.weight, standby: s.standby,
        sharedKey: s.shared_key, username: s.username, password: s.password,
      }, settings, ctx.log);
      ctx.log.info({ host: s.host, port: s.port, weight: s.weight }, `adding forwarding server '${node.label}'`);
      if (heartbeatType !== 'none') {
        try {
          await node.resolve();
        } catch (err) {
          if (!params.ignore_network_errors_at_startup) throw fail(`cannot resolve ${s.host}: ${(err as Error).message}`, 'host', el);
          ctx.log.warn({ server: s.name ?? s.host, error: (err as Error).message }, 'failed to resolve node name when configured');
          node.disable();
        }
      }
      nodes.push(node);
    }
    const balancer = new LoadBalancer<ForwardNode>(ctx.log);
    balancer.rebuild(nodes);

    let timer: NodeJS.Timeout | undefined;
    let udp: UdpSocket | undefined;
    const probing = new Set<ForwardNode>();
    const onHeartbeatTimer = () => {
      let rebuild = false;
      for (const node of nodes) {
        if (heartbeatType === 'transport' && !probing.has(node)) {
          probing.add(node);
          node.transportHeartbeat()
            .then((recovered) => recovered && balancer.rebuild(nodes))
            .catch((err: Error) => ctx.log.debug({ host: node.server.host, port: node.port, error: err.message }, 'failed to send heartbeat packet'))
            .finally(() => probing.delete(node));
        } else if (heartbeatType === 'udp' && udp) {
          const sock = udp;
          node.resolve()
            .then((address) => sock.send(Buffer.from([0]), node.port, address))
            .catch((err: Error) => ctx.log.debug({ host: node.server.host, port: node.port, error: err.message }, 'failed to send heartbeat packet'));
        }
        rebuild = node.tick() || rebuild;
      }
      if (rebuild) balancer.rebuild(nodes);
    };

    const ackWanted = params.require_ack_response;
    const compressed = params.compress;
    return {
      async start() {
        if (params.verify_connection_at_startup) {
          for (const node of nodes) {
            try {
              (await node.connect()).close();
            } catch (err) {
              ctx.log.fatal({}, `forward's connection setting error: ${(err as Error).message}`);
              throw err;
            }
          }
        }
        if (heartbeatType === 'udp') {
          const sock = createSocket('udp4');
          sock.on('message', (_data, rinfo) => {
            const node = nodes.find((n) => n.port === rinfo.port && n.resolvedAddress === rinfo.address);
            if (!node) {
              ctx.log.warn({}, `Unknown heartbeat response received from ${rinfo.address}:${rinfo.port}. It may service out`);
              return;
            }
            if (node.heartbeat(true)) balancer.rebuild(nodes);
          });
          sock.on('error', (err) => ctx.log.debug({ error: err.message }, 'heartbeat socket error'));
          await new Promise<void>((resolve) => sock.bind(0, resolve));
          udp = sock;
        }
        if (heartbeatType !== 'none') {
          timer = setInterval(onHeartbeatTimer, params.heartbeat_interval * 1000);
          timer.unref();
        }
      },
      shutdown() {
        clearInterval(timer);
        udp?.close();
        udp = undefined;
        for (const node of nodes) node.stop();
      },
      ...(params.time_as_integer ? { format: (_tag: string, sec: number, _nsec: number, record: Record<string, unknown>) => pack([sec, record]) } : {}),
      async write(chunk) {
        if (chunk.recordCount === 0) return;
        const tag = chunk.metadata.tag ?? '';
        const body = await chunk.read();
        if (body.length === 0) return;
        const entries = compressed === 'gzip' ? gzipSync(body) : body;
        // Base64.encode64, as Fluentd: with its trailing newline; in_forward echoes the string back.
        const ack = ackWanted ? `${chunk.uniqueId.toString('base64')}\n` : undefined;
        const option: Record<string, unknown> = { size: chunk.recordCount, compressed };
        if (ack !== undefined) option.chunk = ack;
        const head = Buffer.alloc(5);
        head[0] = 0xdb; // str32, as out_forward always writes the entries
        head.writeUInt32BE(entries.length, 1);
        const frame = Buffer.concat([Buffer.from([0x93]), pack(tag), head, entries, pack(option)]);
        try {
          await balancer.select((node) => node.send(frame, ack));
        } catch (err) {
          throw new Error(`out_forward: chunk ${chunk.chunkId} (${chunk.recordCount} events, tag ${tag}) not delivered: ${(err as Error).message}`, { cause: err });
        }
      },
    };
  },
});
