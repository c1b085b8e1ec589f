import { ConfigError, defineInput, p, z } from '../src/plugin-api/index.ts';
import { chomp } from '../src/formatter/chomp.ts';
import { createExtractor } from '../src/plugin-helpers/extract.ts';
import { Emits } from '../src/server/emits.ts';
import { parseMessage } from '../src/server/parse-message.ts';
import { readTransport, transportDescription, transportParams } from '../src/server/transport.ts';
import { UdpServer } from '../src/server/udp-server.ts';

/**
 * Fluentd's in_udp: one text message per datagram, parsed by <parse>. A message that does not parse goes to the
 * error route with its text. A datagram cannot wait for a full buffer: its events are lost, with a warn line.
 */
export default defineInput({
  type: 'udp',
  description: 'Receives one text message per UDP datagram and parses it with <parse>.',
  helpers: ['parse', 'extract'],
  params: z.object({
    tag: p.string().describe('Tag of the events (an <extract> tag_key overrides it per record).'),
    port: p.integer().default(5160).describe('The port to listen on; 0: any free port, logged at start.'),
    bind: p.string().default('0.0.0.0').describe('The address to listen on.'),
    source_host_key: p.string().optional().describe('Deprecated: use source_hostname_key.'),
    source_hostname_key: p.string().optional().describe('Add the sender\'s host name (reverse DNS) under this key.'),
    source_address_key: p.string().optional().describe('Add the sender\'s IP address under this key.'),
    body_size_limit: p.size().optional().describe('Deprecated: use message_length_limit.'),
    message_length_limit: p.size().default(4096).describe('Bytes of a datagram read; the rest is cut off (warn line).'),
    remove_newline: p.bool().default(true).describe('Remove one trailing newline (\\n or \\r\\n) from each message.'),
    receive_buffer_size: p.size().optional().describe('Deprecated: use <transport udp> receive_buffer_size. SO_RCVBUF of the socket.'),
    blocking_timeout: p.unsupported('it tunes Cool.io\'s event loop, which Node does not have'),
  }),
  sections: {
    transport: { description: transportDescription(['udp']), params: transportParams },
  },
  async create(ctx, params, conf) {
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    if (!parseConf) throw new ConfigError('<parse> section is required.', { location: conf.location, section: conf.name });
    for (const [old, now] of [['source_host_key', 'source_hostname_key'], ['body_size_limit', 'message_length_limit'], ['receive_buffer_size', 'receive_buffer_size in transport section']] as const) {
      if (params[old] !== undefined) ctx.log.warn({}, `'${old}' parameter is deprecated: use ${now} instead.`);
    }
    const transport = readTransport(conf, ctx.log, ['udp'], 'udp');
    const parser = await ctx.createParser(parseConf);
    const options = {
      tag: params.tag,
      sourceAddressKey: params.source_address_key,
      sourceHostnameKey: params.source_hostname_key ?? params.source_host_key,
      extractor: createExtractor(conf.elements.find((e) => e.name === 'extract'), ctx),
    };
    const server = new UdpServer({
      name: 'udp',
      port: params.port,
      bind: params.bind,
      maxBytes: params.body_size_limit ?? params.message_length_limit,
      receiveBufferSize: transport.receiveBufferSize ?? params.receive_buffer_size,
      resolveHostname: options.sourceHostnameKey !== undefined,
      handle(message, peer) {
        let text = message.toString('utf8');
        if (params.remove_newline) text = chomp(text);
        const out = new Emits();
        parseMessage(ctx, parser, text, peer, options, out);
        return out;
      },
      emit: (tag, batch) => ctx.emit(tag, batch),
      log: ctx.log,
    });
    return {
      async start() {
        const port = await server.start();
        ctx.log.info({ bind: params.bind, port }, 'listening udp socket');
      },
      shutdown: () => server.stop(),
    };
  },
});
