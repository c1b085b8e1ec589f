import type { z } from 'zod';
import type { ParamsSchema } from './params.ts';

export interface ParamDoc {
  name: string;
  type: string;
  default: string;
  required: boolean;
  secret: boolean;
  description: string;
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
}

/** Reads a plugin's parameter schema back as documentation: the schema is the single source of the README table. */
export function describeParams(schema: ParamsSchema): ParamDoc[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    let current = field as z.ZodType;
    let description = '';
    let fluentType = '';
    let secret = false;
    let hasDefault = false;
    let defaultValue: unknown;
    let optional = false;
    for (;;) {
      const meta = (current.meta() ?? {}) as { description?: string; fluentType?: string; secret?: boolean; unsupported?: string };
      description ||= meta.description ?? current.description ?? '';
      fluentType ||= meta.fluentType ?? '';
      secret ||= meta.secret === true;
      if (meta.unsupported) description ||= `not supported: ${meta.unsupported}`;
      const def = (current as unknown as { def: SchemaDef }).def;
      if (def.type === 'default' || def.type === 'prefault') {
        hasDefault = true;
        defaultValue = def.defaultValue;
      } else if (def.type === 'optional') {
        optional = true;
      }
      if (!def.innerType) break;
      current = def.innerType;
    }
    return {
      name,
      type: fluentType || 'string',
      default: hasDefault ? formatDefault(defaultValue) : optional || fluentType === 'unsupported' ? 'nil' : '',
      required: !hasDefault && !optional && fluentType !== 'unsupported',
      secret,
      description,
    };
  });
}

function formatDefault(value: unknown): string {
  if (value instanceof RegExp) return `/${value.source}/`;
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}
