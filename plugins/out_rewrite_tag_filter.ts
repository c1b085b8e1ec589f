import { exec } from 'node:child_process';
import type { ConfigElement, EventRecord } from '../src/plugin-api/index.ts';
import { ConfigError, EventBatch, defineOutput, p, readSection, z } from '../src/plugin-api/index.ts';
import { rubyToS } from '../src/formatter/ruby-inspect.ts';
import { createRecordAccessor } from '../src/plugin-helpers/record-accessor.ts';

const ruleParams = z.object({
  key: p.string().describe('The field (or $.a.b path) the pattern is applied to.'),
  pattern: p.regexp().describe('A Ruby regular expression, /body/flags or a bare body.'),
  tag: p.string().describe('The new tag: $1..$9, ${tag}, __TAG__, ${tag_parts[N]}, ${hostname}, __HOSTNAME__.'),
  label: p.string().optional().describe('Emit into this <label> instead of the current router.'),
  invert: p.bool().default(false).describe('Rewrite when the pattern does not match.'),
});

interface Rule {
  get: (record: EventRecord) => unknown;
  pattern: RegExp;
  invert: boolean;
  tag: string;
  label: string | undefined;
}

// The plugin's own placeholder syntax; anything it matches that the table lacks becomes '' with a warning.
const PLACEHOLDER = /(\$\{[a-z_]+(?:\[[0-9]+\])?\}|__[A-Z_]+__)/g;
const BACKREFERENCE = /\$\d+/g;

/** Ruby's backticks: the command's stdout, chomped, whatever its exit status. */
function runHostnameCommand(command: string): Promise<string> {
  return new Promise((resolve) => {
    exec(command, (_err, stdout) => resolve(String(stdout).replace(/\r?\n$/, '')));
  });
}

/** Ruby's String#capitalize: the first character upper case, the rest lower case. */
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

/**
 * fluent-plugin-rewrite-tag-filter (bundled with td-agent): the first <rule> whose pattern matches (or, with
 * invert, does not match) the field decides the event's new tag, and the event is emitted again under it. An event
 * that matches no rule, or whose new tag equals the old one without a rule label, is dropped: re-emitting it under
 * the same tag would reach this output again forever.
 */
export default defineOutput({
  type: 'rewrite_tag_filter',
  description: 'Re-emits each event under a tag built from the first <rule> whose regexp matches a field.',
  params: z.object({
    capitalize_regex_backreference: p.bool().default(false).describe('Capitalize every $N backreference (maps -> Maps).'),
    remove_tag_prefix: p.string().optional().describe('Removed (with the following dot) from the tag for ${tag} / __TAG__.'),
    remove_tag_regexp: p.regexp().optional().describe('Removed from the tag for ${tag} / __TAG__.'),
    hostname_command: p.string().default('hostname').describe('Shell command whose output is ${hostname} / __HOSTNAME__.'),
    emit_mode: p.enum(['record', 'batch']).default('batch').describe('batch: one emit per new tag; record: one per event.'),
  }),
  sections: {
    rule: { description: 'A rewrite rule: key, pattern, tag, optional label and invert. Tried in order.', params: ruleParams, multi: true },
  },
  async create(ctx, params, conf) {
    const fail = (message: string, where: ConfigElement, param?: string) =>
      new ConfigError(message, { location: (param && where.attrLocations[param]) || where.location, section: where.name, param });

    const rules: Rule[] = [];
    const names = new Set<string>();
    for (const el of conf.elements.filter((e) => e.name === 'rule')) {
      const r = readSection(ruleParams, el, { log: ctx.log });
      if (/\$\{tag_parts\[\d\.\.\.?\d\]\}/.test(r.tag) || /__TAG_PARTS\[\d\.\.\.?\d\]__/.test(r.tag)) {
        throw fail('${tag_parts[n]} and __TAG_PARTS[n]__ placeholder does not support range specify', el, 'tag');
      }
      let get;
      try {
        get = createRecordAccessor(r.key).get;
      } catch (err) {
        throw fail((err as Error).message, el, 'key');
      }
      const name = `${r.key}${r.invert ? '!' : ''}${r.pattern.source}`;
      if (names.has(name)) throw fail(`duplicated rewriterules found: key ${r.key}, pattern ${el.attrs.pattern}`, el);
      names.add(name);
      // exec() on a global or sticky RegExp would carry lastIndex from one event to the next.
      const pattern = /[gy]/.test(r.pattern.flags) ? new RegExp(r.pattern.source, r.pattern.flags.replace(/[gy]/g, '')) : r.pattern;
      rules.push({ get, pattern, invert: r.invert, tag: r.tag, label: r.label });
      ctx.log.info({}, `adding rewrite_tag_filter rule: ${r.key} ${r.invert ? '!' : ''}${el.attrs.pattern} ${r.tag}`);
    }
    if (Object.keys(conf.attrs).some((k) => k.startsWith('rewriterule'))) {
      throw fail('"rewriterule<num>" support has been dropped. Use <rule> section instead.', conf);
    }
    if (rules.length === 0) throw fail('missing rewriterules', conf);
    if (params.remove_tag_prefix !== undefined && params.remove_tag_regexp !== undefined) {
      throw fail('remove_tag_prefix and remove_tag_regexp are exclusive', conf, 'remove_tag_regexp');
    }
    const removeTag = params.remove_tag_prefix !== undefined
      ? new RegExp(`^${params.remove_tag_prefix.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}\\.?`)
      : params.remove_tag_regexp;
    const hostname = await runHostnameCommand(params.hostname_command);
    const capitalizeRefs = params.capitalize_regex_backreference;

    const placeholders = (tag: string): Map<string, string> => {
      const t = removeTag ? tag.replace(removeTag, '') : tag;
      const table = new Map([['__HOSTNAME__', hostname], ['${hostname}', hostname], ['__TAG__', t], ['${tag}', t]]);
      t.split('.').forEach((part, i) => {
        table.set(`\${tag_parts[${i}]}`, part);
        table.set(`__TAG_PARTS[${i}]__`, part);
      });
      return table;
    };

    /** The first deciding rule's tag and label, or null when no rule decides. */
    const rewrite = (tag: string, record: EventRecord, table: Map<string, string>): { tag: string; label: string | undefined } | null => {
      for (const rule of rules) {
        const value = rubyToS(rule.get(record));
        if (value === '' && !rule.invert) continue;
        const m = rule.pattern.exec(value);
        let newTag = rule.tag;
        if (rule.invert) {
          if (m) continue;
        } else {
          if (!m) continue;
          // Ruby's gsub with a hash: a reference to a group that does not exist becomes ''.
          newTag = newTag.replace(BACKREFERENCE, (ref) => {
            const n = Number(ref.slice(1));
            const v = n >= 1 && n < m.length ? (m[n] ?? '') : '';
            return capitalizeRefs ? capitalize(v) : v;
          });
        }
        newTag = newTag.replace(PLACEHOLDER, (ph) => {
          const v = table.get(ph);
          if (v !== undefined) return v;
          ctx.log.warn({}, `rewrite_tag_filter: unknown placeholder found. :placeholder=>${ph} :tag=>${tag} :rewritetag=>${newTag}`);
          return '';
        });
        return { tag: newTag, label: rule.label };
      }
      return null;
    };

    const send = (label: string | undefined, tag: string, batch: EventBatch) =>
      label ? ctx.emitToLabel(label, tag, batch) : ctx.emit(tag, batch);

    return {
      async process(tag, batch) {
        const table = placeholders(tag);
        // label ('' for the current router) -> new tag -> events, in first-seen order as Fluentd's nested hash.
        const groups = new Map<string, Map<string, EventBatch>>();
        for (let i = 0; i < batch.length; i++) {
          const record = batch.records[i]!;
          const target = rewrite(tag, record, table);
          if (!target || (target.tag === tag && target.label === undefined)) {
            ctx.log.trace({ record }, 'rewrite_tag_filter: tag has not been rewritten');
            continue;
          }
          if (params.emit_mode === 'record') {
            await send(target.label, target.tag, EventBatch.single(batch.secs[i]!, batch.nsecs[i]!, record));
            continue;
          }
          const label = target.label ?? '';
          let byTag = groups.get(label);
          if (!byTag) groups.set(label, (byTag = new Map()));
          let out = byTag.get(target.tag);
          if (!out) byTag.set(target.tag, (out = new EventBatch()));
          out.add(batch.secs[i]!, batch.nsecs[i]!, record);
        }
        for (const [label, byTag] of groups) {
          for (const [newTag, out] of byTag) await send(label, newTag, out);
        }
      },
    };
  },
});
