import { ConfigError, defineOutput, z } from '../src/plugin-api/index.ts';

/** Fluentd's out_relabel: passes events on to the label named by `@label`, unchanged. */
export default defineOutput({
  type: 'relabel',
  description: 'Routes events into the <label> named by @label.',
  params: z.object({}),
  create(ctx, _params, conf) {
    if (conf.attrs['@label'] === undefined) {
      throw new ConfigError("'@label' parameter is required", { location: conf.location, section: 'match', param: '@label' });
    }
    return { process: (tag, batch) => ctx.emit(tag, batch) };
  },
});
