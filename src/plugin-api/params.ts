import { z } from 'zod';
import { toArray, toBool, toFloat, toHash, toInteger, toSize, toTime } from '../config/types.ts';
import { compileRubyRegex, parseRubyRegexLiteral } from '../regex/ruby-regex.ts';

/**
 * Parameter types with Fluentd's conversion rules (config/types.rb), as zod schemas. Config values arrive as the
 * strings the config parser produced; a value that is already of the target type (a programmatic default) passes.
 * A plugin declares each parameter once with these, using Fluentd's name and default:
 *   z.object({ read_from_head: p.bool().default(false).describe('Start at the head of new files.') })
 */
function fluentType<T extends z.ZodType>(typeName: string, convert: (raw: string) => unknown, target: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return convert(value);
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  }, target).meta({ fluentType: typeName });
}

export const p = {
  string: () => z.string().meta({ fluentType: 'string' }),
  integer: () => fluentType('integer', toInteger, z.number().int()),
  float: () => fluentType('float', toFloat, z.number()),
  /** Bytes; `8m` = 8 MiB (powers of 1024). */
  size: () => fluentType('size', toSize, z.number()),
  /** Seconds (float); `10s`, `1m`, `2h`, `1d`, `1.5`. */
  time: () => fluentType('time', toTime, z.number()),
  bool: () => fluentType('bool', toBool, z.boolean()),
  enum: <const V extends readonly [string, ...string[]]>(values: V) =>
    fluentType(
      'enum',
      (raw) => {
        if (!(values as readonly string[]).includes(raw)) {
          throw new Error(`valid options are ${values.join(',')} but got ${raw}`);
        }
        return raw;
      },
      z.enum(values),
    ),
  /** A JSON array or a comma-separated list. */
  array: (valueType?: 'string' | 'integer' | 'float') =>
    fluentType('array', (raw) => toArray(raw, valueType), z.array(z.any())),
  /** A JSON object or `k:v,k2:v2`. */
  hash: (valueType?: 'string' | 'integer' | 'float') =>
    fluentType('hash', (raw) => toHash(raw, valueType), z.record(z.string(), z.any())),
  /** A Ruby regexp `/body/flags` (or a bare body), translated to an equivalent RegExp or refused. */
  regexp: () =>
    fluentType(
      'regexp',
      (raw) => {
        const { source, flags } = parseRubyRegexLiteral(raw);
        return compileRubyRegex(source, flags);
      },
      z.instanceof(RegExp),
    ),
  /** A string that is masked in logs and config dumps. */
  secret: () => z.string().meta({ fluentType: 'string', secret: true }),
  /**
   * A parameter Fluentd accepts but logferry does not implement: setting it is a config error that says why,
   * never a silent no-op.
   */
  unsupported: (why: string) =>
    z
      .undefined({ error: `is not supported by logferry: ${why}` })
      .optional()
      .meta({ fluentType: 'unsupported', unsupported: why }),
};

export type ParamsSchema = z.ZodObject<z.ZodRawShape>;
