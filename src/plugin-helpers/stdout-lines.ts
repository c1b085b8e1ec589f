import type { ConfigElement, PluginContext } from '../plugin-api/index.ts';
import { chomp } from '../formatter/chomp.ts';
import { createInjector, injectSectionOf } from './inject.ts';

/** One event as the line out_stdout and filter_stdout print: `<format>` (default `stdout`) after `<inject>`. */
export type StdoutLineFormatter = (tag: string, sec: number, nsec: number, record: Record<string, unknown>) => string;

export async function createStdoutLineFormatter(ctx: PluginContext, conf: ConfigElement): Promise<StdoutLineFormatter> {
  const formatter = await ctx.createFormatter(conf.elements.find((e) => e.name === 'format'), { '@type': 'stdout' });
  const inject = createInjector(injectSectionOf(conf), ctx);
  return (tag, sec, nsec, record) => `${chomp(formatter.format(tag, sec, nsec, inject(tag, sec, nsec, record)).toString())}\n`;
}
