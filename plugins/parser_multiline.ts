import type { Parser } from '../src/plugin-api/index.ts';
import { defineParser, nowEventTime, p, z } from '../src/plugin-api/index.ts';
import { configError } from '../src/parser/parser-core.ts';
import { createRegexpParser, regexpParserParams } from '../src/parser/regexp-parser.ts';
import { compileRubyRegex, parseRubyRegexLiteral } from '../src/regex/ruby-regex.ts';

const FORMAT_MAX = 20;
// The RegexpParser parameters, but the regexp comes from format1..N, never from `expression`.
const { expression: _expression, ...regexpParams } = regexpParserParams({});
const formatParams = Object.fromEntries(
  Array.from({ length: FORMAT_MAX }, (_, i) => [`format${i + 1}`, p.string().optional().describe(`Part ${i + 1} of the event regexp, /.../.`)]),
);

/**
 * Fluentd's parser_multiline: format1..formatN (each `/.../`, no gaps) concatenated into one regexp compiled with
 * Ruby's MULTILINE (dot matches newline), matched against the lines of one event joined by "\n"; format_firstline
 * tells in_tail where an event starts.
 */
export default defineParser({
  type: 'multiline',
  description: 'Events spanning several lines (stack traces): format_firstline plus format1..format20.',
  params: z.object({
    ...regexpParams,
    format_firstline: p.string().optional().describe('A /regexp/ matching the first line of each event.'),
    unmatched_lines: p.bool().default(false).describe('Text the formats do not match becomes {"unmatched_line": text} at the current time.'),
    ...formatParams,
  }),
  create(ctx, params, conf) {
    const parts: string[] = [];
    for (let i = 1; i <= FORMAT_MAX; i++) {
      const value = (params as Record<string, unknown>)[`format${i}`] as string | undefined;
      if (value === undefined) {
        for (let j = i + 1; j <= FORMAT_MAX; j++) {
          if ((params as Record<string, unknown>)[`format${j}`] !== undefined) throw configError(conf, `format${j}`, `Jump of format index found. format${i} is missing.`);
        }
        break;
      }
      const m = /^\/(.*)\/$/s.exec(value);
      if (!m) throw configError(conf, `format${i}`, `Invalid regexp in format${i}: '${value}' (each format must be /.../)`);
      parts.push(m[1]!);
    }
    if (parts.length === 0) throw configError(conf, 'format1', 'format1 is required');
    const inner = createRegexpParser({ ...params, expression: `/${parts.join('')}/m` }, conf, ctx.log);
    let firstline: RegExp | undefined;
    if (params.format_firstline !== undefined) {
      const { source, flags } = parseRubyRegexLiteral(params.format_firstline);
      try {
        firstline = compileRubyRegex(source, flags);
      } catch (err) {
        throw configError(conf, 'format_firstline', (err as Error).message);
      }
    }
    const parser: Parser = {
      multiline: true,
      parse: params.unmatched_lines
        ? (text, out) => {
            if (inner.parse(text, out)) return true;
            const now = nowEventTime();
            out.add(now.sec, now.nsec, { unmatched_line: text });
            return true;
          }
        : (text, out) => inner.parse(text, out),
      ...(firstline ? { firstline: (line: string) => firstline.test(line) } : {}),
    };
    return parser;
  },
});
