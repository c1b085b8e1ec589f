import { defineParser, z } from '../src/plugin-api/index.ts';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { parseTimeValue, ParserCore } from '../src/parser/parser-core.ts';
import { rubyStringToI } from '../src/parser/ruby-values.ts';
import { compileRubyRegex } from '../src/regex/ruby-regex.ts';

const REGEXP = compileRubyRegex(
  String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>(?:[^\"]|\\")*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>(?:[^\"]|\\")*)" "(?<agent>(?:[^\"]|\\")*)")?$`,
  '',
);
const TIME_FORMAT = '%d/%b/%Y:%H:%M:%S %z';

const dashToNull = (v: string | undefined) => (v === '-' || v === undefined ? null : v);

/**
 * Fluentd's parser_apache2 (its own class, not a RegexpParser): fixed keys, `-` as null, code and size as integers
 * (code 0 as null); `types` and the null options do not apply, as in Fluentd.
 */
export default defineParser({
  type: 'apache2',
  description: 'Apache access log (combined): typed code/size, "-" as null.',
  params: z.object(commonParserParams()),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const timeParser = core.createTimeParser({ type: 'string', format: TIME_FORMAT }, conf);
    const keepTime = core.keepTimeKey;
    return {
      parse(text, out) {
        const m = REGEXP.exec(text);
        if (m === null) return false;
        const g = m.groups!;
        const time = parseTimeValue(timeParser, g.time);
        const code = rubyStringToI(g.code!);
        const record: EventRecord = {
          host: dashToNull(g.host),
          user: dashToNull(g.user),
          method: g.method,
          path: g.path ?? null,
          code: code === 0 ? null : code,
          size: g.size === '-' ? null : rubyStringToI(g.size!),
          referer: dashToNull(g.referer),
          agent: dashToNull(g.agent),
        };
        if (keepTime) record.time = g.time;
        out.add(time.sec, time.nsec, record);
        return true;
      },
    };
  },
});
