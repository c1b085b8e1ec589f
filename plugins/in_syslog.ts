import { toBool } from '../src/config/types.ts';
import { chomp } from '../src/formatter/chomp.ts';
import { ConfigError, defineInput, newElement, nowEventTime, p, ParserError, z, type ConfigElement, type EventRecord, type InputContext, type Parser } from '../src/plugin-api/index.ts';
import { EventBatch } from '../src/plugin-api/index.ts';
import { Emits } from '../src/server/emits.ts';
import type { Peer } from '../src/server/peer.ts';
import { DelimiterSplitter, OctetCountSplitter } from '../src/server/splitters.ts';
import { StreamServer } from '../src/server/stream-server.ts';
import { priorityNames, splitPriority } from '../src/server/syslog-priority.ts';
import { readTransport, transportDescription, transportParams } from '../src/server/transport.ts';
import { UdpServer } from '../src/server/udp-server.ts';

// v0.12 configs set the syslog parser's options at the top level without `format` (which the engine converts).
const LEGACY_PARSER_KEYS = ['message_format', 'with_priority', 'rfc5424_time_format'];

/**
 * Fluentd's in_syslog: syslog messages over UDP (default), TCP or TLS, traditional (newline) or octet-counted
 * frames, tagged TAG.FACILITY.SEVERITY. Beyond Fluentd: a message that does not parse goes to the error route with
 * its text (unless emit_unmatched_lines emits it), and a full buffer pauses a TCP connection.
 */
export default defineInput({
  type: 'syslog',
  description: 'Receives syslog messages (RFC 3164 / RFC 5424) over UDP, TCP or TLS, tagged TAG.FACILITY.SEVERITY.',
  helpers: ['parse'],
  params: z.object({
    port: p.integer().default(5140).describe('The port to listen on; 0: any free port, logged at start.'),
    bind: p.string().default('0.0.0.0').describe('The address to listen on.'),
    tag: p.string().describe('The tag prefix: events are tagged TAG.FACILITY.SEVERITY.'),
    protocol_type: p.enum(['tcp', 'udp']).optional().describe('Deprecated: use <transport tcp|udp>.'),
    frame_type: p.enum(['traditional', 'octet_count']).default('traditional').describe('TCP framing: traditional (delimiter) or octet_count (RFC 6587 `LEN MSG`).'),
    include_source_host: p.bool().default(false).describe('Deprecated: use source_address_key. Adds the sender address under source_host_key.'),
    source_host_key: p.string().default('source_host').describe('The key include_source_host writes.'),
    emit_unmatched_lines: p.bool().default(false).describe('Emit a message that does not parse as {unmatched_line} tagged TAG.unmatched.'),
    source_hostname_key: p.string().optional().describe('Add the sender\'s host name (reverse DNS) under this key.'),
    resolve_hostname: p.bool().optional().describe('Resolve the sender\'s host name (source_hostname_key turns it on).'),
    send_keepalive_packet: p.bool().default(false).describe('Send TCP keepalive probes on client connections (tcp/tls).'),
    source_address_key: p.string().optional().describe('Add the sender\'s IP address under this key.'),
    severity_key: p.string().optional().describe('Add the severity name (err, info, ...) under this key.'),
    priority_key: p.string().optional().describe('Deprecated alias of severity_key.'),
    facility_key: p.string().optional().describe('Add the facility name (auth, local0, ...) under this key.'),
    message_length_limit: p.size().default(2048).describe('UDP: bytes of a datagram read; the rest is cut off (warn line).'),
    blocking_timeout: p.unsupported('it tunes Cool.io\'s event loop, which Node does not have'),
    delimiter: p.string().default('\n').describe('What ends a message in traditional TCP frames.'),
  }),
  sections: {
    transport: { description: transportDescription(['udp', 'tcp', 'tls']), params: transportParams },
  },
  prepare(conf) {
    if (conf.elements.some((e) => e.name === 'parse') || !LEGACY_PARSER_KEYS.some((k) => k in conf.attrs)) return;
    const section = newElement('parse', '', conf.location);
    for (const key of LEGACY_PARSER_KEYS) {
      if (!(key in conf.attrs)) continue;
      section.attrs[key] = conf.attrs[key]!;
      delete conf.attrs[key];
    }
    conf.elements.push(section);
  },
  async create(ctx, params, conf) {
    const fail = (message: string, param?: string) =>
      new ConfigError(message, { location: (param && conf.attrLocations[param]) || conf.location, section: conf.name, param });
    if (params.priority_key !== undefined) ctx.log.warn({}, 'priority_key is deprecated. Use severity_key instead');
    if (params.protocol_type !== undefined) ctx.log.warn({}, "'protocol_type' parameter is deprecated: use transport directive");
    let sourceAddressKey = params.source_address_key;
    if (params.include_source_host) {
      if (sourceAddressKey !== undefined) throw fail('specify either source_address_key or include_source_host', 'include_source_host');
      ctx.log.warn({}, "'include_source_host' parameter is deprecated: use \"source_hostname_key\" or \"source_address_key\" instead.");
      sourceAddressKey = params.source_host_key;
    }
    let resolve = params.resolve_hostname ?? false;
    if (params.source_hostname_key !== undefined) {
      if (params.resolve_hostname === false) throw fail('resolve_hostname must be true with source_hostname_key', 'resolve_hostname');
      resolve = true;
    }
    const transport = readTransport(conf, ctx.log, ['tcp', 'udp', 'tls'], 'udp');
    const protocol = params.protocol_type ?? transport.protocol;
    if (params.send_keepalive_packet && protocol === 'udp') throw fail('send_keepalive_packet is available for tcp/tls', 'send_keepalive_packet');
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    const parserType = parseConf?.attrs['@type'] ?? 'syslog';
    const parser = await ctx.createParser(parseConf, parserType === 'syslog' ? { '@type': 'syslog', with_priority: 'true' } : { '@type': 'syslog' });
    const handler = new SyslogHandler(ctx, parser, {
      tag: params.tag,
      parsesPriority: parserType === 'syslog' && toBool(parseConf?.attrs.with_priority ?? 'true'),
      emitUnmatched: params.emit_unmatched_lines,
      severityKey: params.severity_key ?? params.priority_key,
      facilityKey: params.facility_key,
      sourceAddressKey,
      sourceHostnameKey: params.source_hostname_key,
    });
    const emit = (tag: string, batch: EventBatch) => ctx.emit(tag, batch);
    const server = protocol === 'udp'
      ? new UdpServer({
        name: 'syslog',
        port: params.port,
        bind: params.bind,
        maxBytes: params.message_length_limit,
        receiveBufferSize: transport.receiveBufferSize,
        resolveHostname: resolve,
        handle: (message, peer) => handler.handle([message], peer, true),
        emit,
        log: ctx.log,
      })
      : new StreamServer({
        name: 'syslog',
        port: params.port,
        bind: params.bind,
        tls: transport.tls,
        sendKeepalivePacket: params.send_keepalive_packet,
        resolveHostname: resolve,
        lingerTimeout: transport.lingerTimeout,
        splitter: () => (params.frame_type === 'octet_count' ? new OctetCountSplitter() : new DelimiterSplitter(params.delimiter, undefined, ctx.log)),
        handle: (messages, peer) => handler.handle(messages, peer, false),
        emit,
        log: ctx.log,
      });
    return {
      async start() {
        const port = await server.start();
        ctx.log.info({ bind: params.bind, port, protocol }, `listening syslog socket on ${params.bind}:${port} with ${protocol}`);
      },
      shutdown: () => server.stop(),
    };
  },
});

interface HandlerOptions {
  tag: string;
  parsesPriority: boolean;
  emitUnmatched: boolean;
  severityKey: string | undefined;
  facilityKey: string | undefined;
  sourceAddressKey: string | undefined;
  sourceHostnameKey: string | undefined;
}

/** in_syslog's message_handler: the priority (from the parser, or read here), the tag, and the extra keys. */
class SyslogHandler {
  constructor(private readonly ctx: InputContext, private readonly parser: Parser, private readonly o: HandlerOptions) {}

  handle(messages: Buffer[], peer: Peer, chompData: boolean): Emits {
    const out = new Emits();
    for (const m of messages) {
      let data = m.toString('utf8');
      if (chompData) data = chomp(data);
      this.one(data, peer, out);
    }
    return out;
  }

  private one(data: string, peer: Peer, out: Emits): void {
    let pri: number | undefined;
    let text = data;
    if (!this.o.parsesPriority) {
      const split = splitPriority(data);
      if (!split) {
        this.unmatched(data, peer, out, new ParserError('invalid syslog message: no <PRI>'));
        return;
      }
      ({ pri, rest: text } = split);
    }
    const batch = new EventBatch();
    let error: Error | undefined;
    try {
      if (!this.parser.parse(text, batch)) error = new ParserError(`pattern not matched: ${JSON.stringify(text.slice(0, 200))}`);
    } catch (err) {
      error = err instanceof ParserError ? err : new ParserError((err as Error).message);
    }
    if (error) {
      this.unmatched(data, peer, out, error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const record = batch.records[i] as EventRecord;
      let p = pri;
      if (p === undefined) {
        p = Number(record.pri);
        delete record.pri;
      }
      const { facility, severity } = priorityNames(p);
      if (this.o.severityKey !== undefined) record[this.o.severityKey] = severity;
      if (this.o.facilityKey !== undefined) record[this.o.facilityKey] = facility ?? null;
      this.addSource(record, peer);
      let sec = batch.secs[i]!;
      let nsec = batch.nsecs[i]!;
      if (Number.isNaN(sec)) ({ sec, nsec } = nowEventTime());
      out.add(`${this.o.tag}.${facility ?? ''}.${severity}`, sec, nsec, record);
    }
  }

  /**
   * emit_unmatched_lines emits the text as TAG.unmatched (with Fluentd's warn line); otherwise it goes to the error
   * route, which logs it when there is no @ERROR label, so it is never lost and never logged twice.
   */
  private unmatched(data: string, peer: Peer, out: Emits, error: Error): void {
    const now = nowEventTime();
    if (this.o.emitUnmatched) {
      this.ctx.log.warn({ data }, 'failed to parse message');
      const record: EventRecord = { unmatched_line: data };
      this.addSource(record, peer);
      out.add(`${this.o.tag}.unmatched`, now.sec, now.nsec, record);
      return;
    }
    this.ctx.emitError(this.o.tag, now.sec, now.nsec, { message: data }, error);
  }

  private addSource(record: EventRecord, peer: Peer): void {
    if (this.o.sourceAddressKey !== undefined) record[this.o.sourceAddressKey] = peer.address;
    if (this.o.sourceHostnameKey !== undefined) record[this.o.sourceHostnameKey] = peer.hostname;
  }
}
