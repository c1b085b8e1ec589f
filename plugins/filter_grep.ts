import type { ConfigElement, EventRecord } from '../src/plugin-api/index.ts';
import { ConfigError, EventBatch, defineFilter, p, readSection, z } from '../src/plugin-api/index.ts';
import { rubyToS } from '../src/formatter/ruby-inspect.ts';
import { createRecordAccessor } from '../src/plugin-helpers/record-accessor.ts';
import { compileRubyRegex } from '../src/regex/ruby-regex.ts';

const REGEXP_MAX_NUM = 20;

const conditionParams = z.object({
  key: p.string().describe('The field (or $.a.b path) the pattern is applied to.'),
  pattern: p.regexp().describe('A Ruby regular expression, /body/flags or a bare body.'),
});
const groupSpec = {
  regexp: { description: 'Inside <and>/<or>: a field that must match.', params: conditionParams, multi: true },
  exclude: { description: 'Inside <and>/<or>: a field that must not match.', params: conditionParams, multi: true },
};

const legacy: Record<string, z.ZodType> = {};
for (let i = 1; i <= REGEXP_MAX_NUM; i++) {
  legacy[`regexp${i}`] = p.string().optional().describe(`Deprecated: "KEY PATTERN"; use <regexp>.`);
  legacy[`exclude${i}`] = p.string().optional().describe(`Deprecated: "KEY PATTERN"; use <exclude>.`);
}

interface Expression {
  get: (record: EventRecord) => unknown;
  pattern: RegExp;
}

const matches = (e: Expression, record: EventRecord) => e.pattern.test(rubyToS(e.get(record)));

function allMatch(list: Expression[], record: EventRecord): boolean {
  for (let i = 0; i < list.length; i++) if (!matches(list[i]!, record)) return false;
  return true;
}

function anyMatch(list: Expression[], record: EventRecord): boolean {
  for (let i = 0; i < list.length; i++) if (matches(list[i]!, record)) return true;
  return false;
}

/**
 * Fluentd's filter_grep: top-level <regexp>s must all match, top-level <exclude>s drop the event if any matches;
 * <and>/<or> group either kind. Keys are record_accessor paths; values are matched as Ruby's `to_s`.
 */
export default defineFilter({
  type: 'grep',
  description: 'Keeps or drops events by regular expressions on fields (<regexp>, <exclude>, <and>, <or>).',
  params: z.object(legacy),
  sections: {
    regexp: { description: 'A field that must match (several: all must).', params: conditionParams, multi: true },
    exclude: { description: 'A field that must not match (several: none may).', params: conditionParams, multi: true },
    and: { description: 'All <regexp> must match, or not all <exclude> may match.', params: null, multi: true },
    or: { description: 'Some <regexp> must match, or no <exclude> may match.', params: null, multi: true },
  },
  create(ctx, params, conf) {
    const regexpAnd = new Map<string, Expression>();
    const regexpOr = new Map<string, Expression>();
    const excludeAnd = new Map<string, Expression>();
    const excludeOr = new Map<string, Expression>();
    const fail = (message: string, where: ConfigElement, param?: string) =>
      new ConfigError(message, { location: (param && where.attrLocations[param]) || where.location, section: where.name, param });
    const add = (into: Map<string, Expression>, key: string, pattern: RegExp, duplicate: string, where: ConfigElement, param?: string) => {
      if (into.has(key)) throw fail(`${duplicate}${key}`, where, param);
      let accessor;
      try {
        accessor = createRecordAccessor(key);
      } catch (err) {
        throw fail((err as Error).message, where, param ?? 'key');
      }
      // test() on a global or sticky RegExp would carry lastIndex from one event to the next.
      into.set(key, { get: accessor.get, pattern: /[gy]/.test(pattern.flags) ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern });
    };
    const legacyParam = (name: string, into: Map<string, Expression>) => {
      const value = (params as Record<string, string | undefined>)[name];
      if (value === undefined) return;
      const space = value.indexOf(' ');
      if (space === -1) throw fail(`${name} does not contain 2 parameters`, conf, name);
      const key = value.slice(0, space);
      let pattern: RegExp;
      try {
        pattern = compileRubyRegex(value.slice(space + 1), '');
      } catch (err) {
        throw fail((err as Error).message, conf, name);
      }
      add(into, key, pattern, `${name} contains a duplicated key, `, conf, name);
    };
    for (let i = 1; i <= REGEXP_MAX_NUM; i++) legacyParam(`regexp${i}`, regexpAnd);
    for (let i = 1; i <= REGEXP_MAX_NUM; i++) legacyParam(`exclude${i}`, excludeOr);

    const read = (el: ConfigElement) => readSection(conditionParams, el, { log: ctx.log });
    const top = (name: string) => conf.elements.filter((e) => e.name === name);
    if (top('regexp').length > 1) ctx.log.info({}, "Top level multiple <regexp> is interpreted as 'and' condition");
    for (const el of top('regexp')) {
      const c = read(el);
      add(regexpAnd, c.key, c.pattern, 'Duplicate key: ', el, 'key');
    }
    if (top('exclude').length > 1) ctx.log.info({}, "Top level multiple <exclude> is interpreted as 'or' condition");
    for (const el of top('exclude')) {
      const c = read(el);
      add(excludeOr, c.key, c.pattern, 'Duplicate key: ', el, 'key');
    }
    for (const [name, regexps, excludes] of [['and', regexpAnd, excludeAnd], ['or', regexpOr, excludeOr]] as const) {
      for (const group of top(name)) {
        readSection(z.object({}), group, { log: ctx.log });
        const inner = (kind: string) => group.elements.filter((e) => e.name === kind);
        for (const el of group.elements) {
          if (!(el.name in groupSpec)) ctx.log.warn({ file: el.location.file, line: el.location.line }, `section <${el.name}> is not used in <${name}>`);
        }
        if (inner('regexp').length > 0 && inner('exclude').length > 0) {
          throw fail(`Do not specify both <regexp> and <exclude> in <${name}>`, group);
        }
        for (const el of inner('regexp')) {
          const c = read(el);
          add(regexps, c.key, c.pattern, `Duplicate key in <${name}>: `, el, 'key');
        }
        for (const el of inner('exclude')) {
          const c = read(el);
          add(excludes, c.key, c.pattern, `Duplicate key in <${name}>: `, el, 'key');
        }
      }
    }

    const rAnd = [...regexpAnd.values()];
    const rOr = [...regexpOr.values()];
    const xAnd = [...excludeAnd.values()];
    const xOr = [...excludeOr.values()];
    const keep = (record: EventRecord): boolean => {
      if (rAnd.length > 0 && !allMatch(rAnd, record)) return false;
      if (rOr.length > 0 && !anyMatch(rOr, record)) return false;
      if (xAnd.length > 0 && allMatch(xAnd, record)) return false;
      if (xOr.length > 0 && anyMatch(xOr, record)) return false;
      return true;
    };
    return {
      filter(_tag, batch) {
        let out: EventBatch | undefined;
        for (let i = 0; i < batch.length; i++) {
          const record = batch.records[i]!;
          if (keep(record)) {
            out?.add(batch.secs[i]!, batch.nsecs[i]!, record);
          } else if (!out) {
            out = new EventBatch();
            for (let j = 0; j < i; j++) out.add(batch.secs[j]!, batch.nsecs[j]!, batch.records[j]!);
          }
        }
        if (!out) return batch;
        return out.length > 0 ? out : null;
      },
    };
  },
});
