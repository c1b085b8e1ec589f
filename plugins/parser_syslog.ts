import type { EventBatch, EventRecord } from '../src/plugin-api/index.ts';
import { defineParser, p, ParserError, z } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { configError, parseTimeValue, ParserCore } from '../src/parser/parser-core.ts';
import { compileRubyRegex } from '../src/regex/ruby-regex.ts';
import { parseIso8601 } from '../src/time/strptime.ts';
import { resolveZone } from '../src/time/zone.ts';

// Fluentd's parser_syslog.rb expressions (regexp engine). rfc3164: the time is the first tokens, the rest is BODY.
const BODY_3164 = compileRubyRegex(String.raw`^(?<host>[^ ]*) (?<ident>[^ :\[]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$`, '');
const PRI_3164 = /^<([0-9]+)>/;
const RFC5424 = String.raw`(?<time>[^ ]+) (?<host>[!-~]{1,255}) (?<ident>[!-~]{1,48}) (?<pid>[!-~]{1,128}) (?<msgid>[!-~]{1,32}) (?<extradata>(?:\-|(?:\[.*?(?<!\\)\])+))(?: (?<message>.+))?`;
const RFC5424_NO_PRI = compileRubyRegex(String.raw`\A${RFC5424}\z`, 'm');
const RFC5424_WITH_PRI = compileRubyRegex(String.raw`\A<(?<pri>[0-9]{1,3})\>[1-9]\d{0,2} ${RFC5424}\z`, 'm');
const DETECT_RFC5424 = /^<[0-9]{1,3}>[1-9]\d{0,2}/;
// rsyslog's RSYSLOG_FileFormat (Debian 12, Ubuntu 24.04 auth.log): an RFC 3339 timestamp where RFC 3164 has its own.
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)$/;
const UTC = resolveZone('UTC');

const params = z.object({
  ...commonParserParams({ time_key: 'time', time_format: '%b %d %H:%M:%S' }),
  message_format: p.enum(['rfc3164', 'rfc5424', 'auto']).default('rfc3164').describe('Syslog flavour; auto detects RFC 5424 by its <PRI>VERSION.'),
  with_priority: p.bool().default(false).describe('Lines start with <PRI>; the record gets pri (integer).'),
  rfc5424_time_format: p.string().default('%Y-%m-%dT%H:%M:%S.%L%z').describe('strptime format of RFC 5424 timestamps (retried without sub-seconds).'),
  parser_engine: p.enum(['regexp']).default('regexp').describe("Fluentd's regexp engine (its records); the string engine is not implemented."),
  parser_type: p.enum(['regexp']).optional().describe('Old name of parser_engine.'),
  support_colonless_ident: p.bool().default(true).describe('String engine only in Fluentd; the regexp engine always reads a colonless ident.'),
  accept_iso8601: p.bool().default(true)
    .describe('Also read RFC 3164 lines whose timestamp is RFC 3339 (rsyslog FileFormat auth.log), which Fluentd drops; lines Fluentd parses are unchanged.'),
});

/** Fluentd's parser_syslog (regexp engine): host, ident, pid, message (+ pri, msgid, extradata for RFC 5424). */
export default defineParser({
  type: 'syslog',
  description: 'Syslog lines: RFC 3164 (and its RFC 3339-timestamp variant), RFC 5424, or auto.',
  params,
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    if (!params.time_format) throw configError(conf, 'time_format', 'time_format is required for the syslog parser');
    // With message_format rfc5424 an explicit time_format replaces rfc5424_time_format, as in Fluentd.
    const explicit5424Format = params.message_format === 'rfc5424' && 'time_format' in conf.attrs ? params.time_format : params.rfc5424_time_format;
    const time3164 = core.timeParser;
    const time5424 = core.createTimeParser({ format: explicit5424Format }, conf);
    const time5424NoFraction = core.createTimeParser({ format: '%Y-%m-%dT%H:%M:%S%z' }, conf);
    const timeTokens = params.time_format.trim().split(/ +/).length;
    const keepTime = params.keep_time_key;

    function finish(record: EventRecord, time: { sec: number; nsec: number }, timeText: string, out: EventBatch): void {
      if (keepTime) record.time = timeText;
      core.convertValues(record);
      out.add(time.sec, time.nsec, record);
    }

    function parse3164(text: string, out: EventBatch): boolean {
      let rest = text;
      let pri: number | undefined;
      if (params.with_priority) {
        const m = PRI_3164.exec(rest);
        if (!m) return false;
        pri = Number(m[1]);
        rest = rest.slice(m[0].length);
      }
      // The time is the first N space-separated tokens (N from time_format), runs of spaces squeezed ("Feb  5").
      let end = 0;
      for (let i = 0; i < timeTokens; i++) {
        while (rest[end] === ' ') end++;
        const space = rest.indexOf(' ', end);
        if (space < 0) return false;
        end = space;
      }
      let timeText = rest.slice(0, end);
      let body = rest.slice(end + 1);
      let time;
      try {
        time = parseTimeValue(time3164, timeText);
      } catch (err) {
        const first = rest.indexOf(' ');
        const iso = first > 0 ? rest.slice(0, first) : '';
        if (!params.accept_iso8601 || !ISO_TIME.test(iso)) throw err;
        try {
          time = parseIso8601(iso, UTC);
        } catch {
          throw err; // an impossible date (month 71): the line fails with Fluentd's own message
        }
        timeText = iso;
        body = rest.slice(first + 1);
      }
      const m = BODY_3164.exec(body);
      if (!m) return false;
      const g = m.groups!;
      const record: EventRecord = {};
      if (pri !== undefined) record.pri = pri;
      record.host = g.host;
      record.ident = g.ident;
      if (g.pid !== undefined) record.pid = g.pid;
      record.message = g.message;
      finish(record, time, timeText, out);
      return true;
    }

    function parse5424(text: string, out: EventBatch): boolean {
      const m = (params.with_priority ? RFC5424_WITH_PRI : RFC5424_NO_PRI).exec(text);
      if (!m) return false;
      const g = m.groups!;
      let time;
      try {
        time = parseTimeValue(time5424, g.time);
      } catch {
        time = parseTimeValue(time5424NoFraction, g.time);
      }
      const record: EventRecord = {};
      if (g.pri !== undefined) record.pri = Number(g.pri);
      record.host = g.host;
      record.ident = g.ident;
      record.pid = g.pid;
      record.msgid = g.msgid;
      record.extradata = g.extradata;
      if (g.message !== undefined) record.message = g.message.replace(/\r?\n$/, '');
      finish(record, time, g.time!, out);
      return true;
    }

    return {
      parse(text: string, out: EventBatch): boolean {
        switch (params.message_format) {
          case 'rfc5424':
            return parse5424(text, out);
          case 'auto':
            if (DETECT_RFC5424.test(text)) {
              if (!params.with_priority) throw new ParserError('auto detected RFC 5424 needs with_priority true');
              return parse5424(text, out);
            }
            return parse3164(text, out);
          default:
            return parse3164(text, out);
        }
      },
    };
  },
});
