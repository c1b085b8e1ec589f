import type { ConfigElement, EventRecord } from '../src/plugin-api/index.ts';
import { ConfigError, EventBatch, defineFilter, p, readSection, z } from '../src/plugin-api/index.ts';
import { createRecordAccessor, type RecordAccessor } from '../src/plugin-helpers/record-accessor.ts';
import { compileTemplate, INTERPOLATION_DIALECT, type Template, type TemplateScope } from '../src/plugin-helpers/record-template.ts';
import { compileRubyRegex } from '../src/regex/ruby-regex.ts';

const replaceParams = z.object({
  key: p.string().describe('The field whose string value is rewritten.'),
  expression: p.string().describe('A Ruby regexp, /body/ (a bare body works, with a warning).'),
  replace: p.string().describe('The replacement: \\1 and \\k<name> refer to groups.'),
});

// record_modifier's `${...}` is Ruby code; these are the expressions logferry evaluates without Ruby.
const SUPPORTED = /^\$\{(?:tag|tag_parts\[-?\d+\]|record\["[^"]*"\])\}$/;
const PLACEHOLDER = /\$\{[^}]+\}/g;
const SUPPORTED_TEXT = '${tag}, ${tag_parts[N]}, ${record["key"]}';
const UTF8 = /^utf-8$/i;

/** Ruby's gsub replacement (\1, \k<name>, \0, \&, \\) as a String#replace one. */
function jsReplacement(ruby: string): string {
  return ruby.replace(/\$/g, '$$$$').replace(/\\(?:(\d)|k<(\w+)>|(&)|(\\))/g, (_m, digit, name, amp, backslash) =>
    digit !== undefined ? (digit === '0' ? '$&' : `$${digit}`) : name !== undefined ? `$<${name}>` : amp ? '$&' : backslash);
}

/**
 * fluent-plugin-record-modifier (bundled with td-agent): sets <record> fields, then keeps only whitelist_keys or
 * deletes remove_keys, then applies <replace> rules. Its `${...}` values are Ruby code in the original; logferry
 * evaluates the placeholder forms configs use (tag, tag_parts, record fields) and refuses any other code.
 */
export default defineFilter({
  type: 'record_modifier',
  description: 'Adds fields (${tag}, ${tag_parts[N]}, ${record["k"]}), keeps or removes keys, rewrites values by regexp.',
  params: z.object({
    prepare_value: p.string().optional().describe('Ruby code run at startup: refused, logferry never runs Ruby.'),
    char_encoding: p.string().optional().describe('Only utf-8 (or utf-8:utf-8): records are always UTF-8 strings.'),
    remove_keys: p.array().optional().describe('Keys (or $.a.b paths) to delete. Exclusive with whitelist_keys.'),
    whitelist_keys: p.string().optional().describe('Comma-separated keys to keep (plus the <record> keys); the rest are removed.'),
  }),
  sections: {
    record: { description: 'Fields to set: `key value`, values may be ${tag}, ${tag_parts[N]}, ${record["k"]}.', params: null, multi: true },
    replace: { description: 'Rewrites a string field: key, expression, replace.', params: replaceParams, multi: true },
  },
  create(ctx, params, conf) {
    const fail = (message: string, where: ConfigElement, param?: string) =>
      new ConfigError(message, { location: (param && where.attrLocations[param]) || where.location, section: where.name, param });
    if (params.prepare_value !== undefined) {
      throw fail(`prepare_value is Ruby code, which logferry does not run. Put fixed values in <record> directly, and use ${SUPPORTED_TEXT} placeholders for values from the event`, conf, 'prepare_value');
    }
    if (params.char_encoding !== undefined && !params.char_encoding.split(':', 2).every((e) => UTF8.test(e.trim()))) {
      throw fail(`char_encoding '${params.char_encoding}' is not supported: logferry keeps every string as UTF-8, so only 'utf-8' (or 'utf-8:utf-8') is accepted`, conf, 'char_encoding');
    }
    if (params.remove_keys && params.whitelist_keys !== undefined) {
      throw fail('remove_keys and whitelist_keys are exclusive with each other.', conf, 'remove_keys');
    }

    const fields: Array<[string, Template]> = [];
    for (const el of conf.elements.filter((e) => e.name === 'record')) {
      for (const [key, raw] of Object.entries(el.attrs)) {
        if (key.startsWith('@')) continue;
        // Ruby takes record['k'] and record["k"] alike.
        const value = raw.replace(/\$\{record\['([^'"]*)'\]\}/g, '${record["$1"]}');
        for (const code of value.match(PLACEHOLDER) ?? []) {
          if (!SUPPORTED.test(code)) {
            throw fail(`${key}: \`${code}\` is Ruby code, which logferry does not run. Supported placeholders: ${SUPPORTED_TEXT}`, el, key);
          }
        }
        fields.push([key, compileTemplate(value, true, ctx.log, false, INTERPOLATION_DIALECT)]);
      }
    }

    const deleters: RecordAccessor[] = ((params.remove_keys ?? []) as string[]).map((k) => {
      try {
        return createRecordAccessor(k);
      } catch (err) {
        throw fail((err as Error).message, conf, 'remove_keys');
      }
    });
    const whitelist = params.whitelist_keys === undefined
      ? undefined
      : [...new Set([...params.whitelist_keys.split(',').map((k) => k.trim()), ...fields.map(([k]) => k)])];

    const replaces = conf.elements.filter((e) => e.name === 'replace').map((el) => {
      const r = readSection(replaceParams, el, { log: ctx.log });
      const literal = r.expression.length >= 2 && r.expression.startsWith('/') && r.expression.endsWith('/');
      if (!literal) ctx.log.warn({}, `You should use "pattern /${r.expression}/" instead of "pattern ${r.expression}"`);
      let pattern: RegExp;
      try {
        pattern = compileRubyRegex(literal ? r.expression.slice(1, -1) : r.expression, '');
      } catch (err) {
        throw fail((err as Error).message, el, 'expression');
      }
      return { key: r.key, test: pattern, all: new RegExp(pattern.source, `${pattern.flags}g`), replacement: jsReplacement(r.replace) };
    });

    return {
      filter(tag, batch) {
        const tagParts = tag.split('.');
        while (tagParts.length > 0 && tagParts[tagParts.length - 1] === '') tagParts.pop(); // as Ruby's split
        const scope: TemplateScope = { tag, tagParts, tagPrefix: [], tagSuffix: [], hostname: '', time: () => '', record: {} };
        const out = new EventBatch();
        for (let i = 0; i < batch.length; i++) {
          let record: EventRecord = { ...batch.records[i]! };
          // As in Ruby, a field sees the fields set before it.
          scope.record = record;
          for (const [key, template] of fields) record[key] = template(scope);
          for (const d of deleters) d.delete(record);
          if (whitelist) {
            const kept: EventRecord = {};
            for (const k of whitelist) if (Object.hasOwn(record, k)) kept[k] = record[k];
            record = kept;
          }
          for (const r of replaces) {
            const v = record[r.key];
            if (typeof v === 'string' && r.test.test(v)) record[r.key] = v.replace(r.all, r.replacement);
          }
          out.add(batch.secs[i]!, batch.nsecs[i]!, record);
        }
        return out;
      },
    };
  },
});
