import { ConfigError, defineInput, p, readSection, z, type ConfigElement } from '../src/plugin-api/index.ts';
import { readServerSecurity, serverSecurityParams } from '../src/forward/security.ts';
import { ForwardServer } from '../src/forward/server.ts';
import { serverTlsOptions, serverTransportParams } from '../src/forward/tls.ts';

const DEFAULT_FRAME_LIMIT = 256 * 1024 * 1024;

/**
 * Fluentd's in_forward: the forward protocol (Message, Forward, PackedForward, CompressedPackedForward) over TCP or
 * TLS, with acks sent only once the events are in the buffers they route to, the shared-key handshake, and UDP
 * heartbeat replies on the same port. Not supported: the JSON form of the protocol (a connection that starts with
 * `{` or `[` is closed with a warning) and zstd-compressed entries.
 */
export default defineInput({
  type: 'forward',
  description: 'Receives events over the forward protocol (fluent-logger, Fluentd, Fluent Bit), TCP or TLS, with acks and shared-key auth.',
  params: z.object({
    port: p.integer().default(24224).describe('The port to listen on (TCP, and UDP for heartbeats); 0: any free port, logged at start.'),
    bind: p.string().default('0.0.0.0').describe('The address to listen on.'),
    backlog: p.integer().optional().describe('The listen backlog.'),
    linger_timeout: p.integer().optional().describe('Deprecated: use <transport> linger_timeout.'),
    blocking_timeout: p.unsupported('it tunes Cool.io\'s event loop, which Node does not have'),
    resolve_hostname: p.bool().optional().describe('Resolve the client\'s host name (needed by source_hostname_key, which turns it on).'),
    deny_keepalive: p.bool().default(false).describe('Close each connection after its first message.'),
    send_keepalive_packet: p.bool().default(false).describe('Send TCP keepalive probes on client connections.'),
    chunk_size_warn_limit: p.size().optional().describe('Warn about a received chunk larger than this.'),
    chunk_size_limit: p.size().optional().describe('Drop a chunk larger than this (the connection is closed, no ack).'),
    decompression_size_limit: p.size().default(DEFAULT_FRAME_LIMIT).describe('The most bytes gzipped entries may decompress to.'),
    skip_invalid_event: p.bool().default(true).describe('Drop events whose time is no integer/EventTime or whose record is no map (false: float and nil times are taken).'),
    source_address_key: p.string().optional().describe('Add the client\'s IP address to each record under this key.'),
    source_hostname_key: p.string().optional().describe('Add the client\'s host name to each record under this key.'),
    tag: p.string().optional().describe('Replace the incoming tag with this one.'),
    add_tag_prefix: p.string().optional().describe('Prefix the incoming tag: `prefix.tag`.'),
    stalled_chunk_timeout: p.time().default(60)
      .describe('logferry\'s own: close a connection whose chunk stays incomplete with no byte arriving for this long.'),
  }),
  sections: {
    security: { description: 'Shared-key handshake (self_hostname, shared_key, user_auth, allow_anonymous_source; <user>, <client>).', params: serverSecurityParams },
    transport: { description: '`<transport tls>`: cert_path, private_key_path, private_key_passphrase, ca_path, client_cert_auth, version, min_version, max_version, ciphers, insecure; linger_timeout.', params: serverTransportParams },
  },
  async create(ctx, params, conf) {
    const fail = (message: string, param?: string, where: ConfigElement = conf) =>
      new ConfigError(message, { location: (param && where.attrLocations[param]) || where.location, section: where.name, param });
    let resolveHostname = params.resolve_hostname ?? false;
    if (params.source_hostname_key !== undefined) {
      if (params.resolve_hostname === false) throw fail('resolve_hostname must be true with source_hostname_key', 'resolve_hostname');
      resolveHostname = true;
    }
    if (params.tag === '') throw fail("'tag' parameter must not be empty", 'tag');
    if (params.add_tag_prefix === '') throw fail("'add_tag_prefix' parameter must not be empty", 'add_tag_prefix');
    if (params.send_keepalive_packet && params.deny_keepalive) {
      throw fail("both 'send_keepalive_packet' and 'deny_keepalive' cannot be set to true", 'send_keepalive_packet');
    }
    if (!(params.stalled_chunk_timeout > 0)) throw fail('stalled_chunk_timeout must be greater than 0', 'stalled_chunk_timeout');
    if (params.linger_timeout !== undefined) ctx.log.warn({}, "'linger_timeout' parameter is deprecated: use transport directive");
    const security = await readServerSecurity(conf, ctx.log);
    const transportConf = conf.elements.find((e) => e.name === 'transport');
    const transport = readSection(serverTransportParams, transportConf ?? { ...conf, attrs: {}, elements: [], nils: new Set() }, { log: ctx.log });
    const protocol = transportConf?.arg || 'tcp';
    if (protocol !== 'tcp' && protocol !== 'tls') throw fail(`valid options are tcp,tls but got ${protocol}`, undefined, transportConf);
    let tls;
    if (protocol === 'tls') {
      try {
        tls = serverTlsOptions(transport);
      } catch (err) {
        throw fail((err as Error).message, undefined, transportConf);
      }
      if (transport.private_key_passphrase === undefined) ctx.log.warn({}, 'For security reason, setting private_key_passphrase is recommended when cert_path is specified');
    }
    const server = new ForwardServer({
      port: params.port,
      bind: params.bind,
      backlog: params.backlog,
      tls,
      sendKeepalivePacket: params.send_keepalive_packet,
      log: ctx.log,
      connection: {
        events: {
          skipInvalidEvent: params.skip_invalid_event,
          tag: params.tag,
          addTagPrefix: params.add_tag_prefix,
          sourceAddressKey: params.source_address_key,
          sourceHostnameKey: params.source_hostname_key,
          decompressionSizeLimit: params.decompression_size_limit,
        },
        security,
        denyKeepalive: params.deny_keepalive,
        chunkSizeLimit: params.chunk_size_limit,
        chunkSizeWarnLimit: params.chunk_size_warn_limit,
        frameBytesLimit: DEFAULT_FRAME_LIMIT,
        stallTimeoutMs: params.stalled_chunk_timeout * 1000,
        lingerTimeout: params.linger_timeout ?? transport.linger_timeout,
        resolveHostname,
        emit: (tag, batch) => ctx.emit(tag, batch),
        log: ctx.log,
      },
    });
    return {
      async start() {
        const port = await server.start();
        ctx.log.info({ port, bind: params.bind }, 'listening port');
      },
      shutdown: () => server.stop(),
    };
  },
});
