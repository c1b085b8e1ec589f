import type { SourceLocation } from './element.ts';

/** Where in the config a problem is: file and line, and when known the section and parameter it concerns. */
export interface ConfigErrorContext {
  location?: SourceLocation;
  section?: string;
  param?: string;
}

/** A config that cannot run. Its message starts with `file:line:` so an operator can jump to it. */
export class ConfigError extends Error {
  readonly context: ConfigErrorContext;
  constructor(message: string, context: ConfigErrorContext = {}) {
    super(formatConfigMessage(message, context));
    this.name = 'ConfigError';
    this.context = context;
  }
}

export function formatConfigMessage(message: string, ctx: ConfigErrorContext): string {
  const where = ctx.location ? `${ctx.location.file}:${ctx.location.line}: ` : '';
  const what = [ctx.section ? `<${ctx.section}>` : '', ctx.param ? `parameter '${ctx.param}'` : '']
    .filter(Boolean)
    .join(' ');
  return `${where}${what ? `${what}: ` : ''}${message}`;
}
