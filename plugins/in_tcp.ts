import { ConfigError, defineInput, p, z, type ConfigElement } from '../src/plugin-api/index.ts';
import { createExtractor } from '../src/plugin-helpers/extract.ts';
import { readClientFilter } from '../src/server/client-filter.ts';
import { Emits } from '../src/server/emits.ts';
import { parseMessage } from '../src/server/parse-message.ts';
import { DelimiterSplitter } from '../src/server/splitters.ts';
import { StreamServer } from '../src/server/stream-server.ts';
import { readTransport, transportDescription, transportParams } from '../src/server/transport.ts';

/**
 * Fluentd's in_tcp: delimited text messages over TCP or TLS, each parsed by <parse>. Beyond Fluentd: a message that
 * does not parse goes to the error route with its text, and a full buffer pauses the connection instead of failing.
 */
export default defineInput({
  type: 'tcp',
  description: 'Receives delimited text messages over TCP or TLS and parses them with <parse>.',
  helpers: ['parse', 'extract'],
  params: z.object({
    tag: p.string().describe('Tag of the events (an <extract> tag_key overrides it per record).'),
    port: p.integer().default(5170).describe('The port to listen on; 0: any free port, logged at start.'),
    bind: p.string().default('0.0.0.0').describe('The address to listen on.'),
    source_host_key: p.string().optional().describe('Deprecated: use source_hostname_key.'),
    source_hostname_key: p.string().optional().describe('Add the client\'s host name (reverse DNS) under this key.'),
    source_address_key: p.string().optional().describe('Add the client\'s IP address under this key.'),
    message_length_limit: p.size().optional().describe('Drop messages longer than this many bytes (info line).'),
    blocking_timeout: p.unsupported('it tunes Cool.io\'s event loop, which Node does not have'),
    delimiter: p.string().default('\n').describe('The string that ends each message.'),
    send_keepalive_packet: p.bool().default(false).describe('Send TCP keepalive probes on client connections.'),
  }),
  sections: {
    security: { description: 'Allowed clients: <client> sections with host or network; others are refused with a warn line.', params: z.object({}) },
    transport: { description: transportDescription(['tcp', 'tls']), params: transportParams },
  },
  async create(ctx, params, conf) {
    const fail = (message: string, param?: string, where: ConfigElement = conf) =>
      new ConfigError(message, { location: (param && where.attrLocations[param]) || where.location, section: where.name, param });
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    if (!parseConf) throw fail('<parse> section is required.');
    if (params.delimiter === '') throw fail('delimiter must not be empty', 'delimiter');
    if (params.source_host_key !== undefined) ctx.log.warn({}, "'source_host_key' parameter is deprecated: use source_hostname_key instead.");
    const transport = readTransport(conf, ctx.log, ['tcp', 'tls'], 'tcp');
    const parser = await ctx.createParser(parseConf);
    const options = {
      tag: params.tag,
      sourceAddressKey: params.source_address_key,
      sourceHostnameKey: params.source_hostname_key ?? params.source_host_key,
      extractor: createExtractor(conf.elements.find((e) => e.name === 'extract'), ctx),
    };
    const server = new StreamServer({
      name: 'tcp',
      port: params.port,
      bind: params.bind,
      tls: transport.tls,
      sendKeepalivePacket: params.send_keepalive_packet,
      resolveHostname: options.sourceHostnameKey !== undefined,
      lingerTimeout: transport.lingerTimeout,
      accept: await readClientFilter(conf, ctx.log),
      splitter: () => new DelimiterSplitter(params.delimiter, params.message_length_limit, ctx.log),
      handle(messages, peer) {
        const out = new Emits();
        for (const m of messages) parseMessage(ctx, parser, m.toString('utf8'), peer, options, out);
        return out;
      },
      emit: (tag, batch) => ctx.emit(tag, batch),
      log: ctx.log,
    });
    return {
      async start() {
        const port = await server.start();
        ctx.log.info({ bind: params.bind, port }, 'listening tcp socket');
      },
      shutdown: () => server.stop(),
    };
  },
});
