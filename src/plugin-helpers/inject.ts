import { hostname as osHostname } from 'node:os';
import type { ConfigElement, EventRecord, PluginContext } from '../plugin-api/index.ts';
import { ConfigError, p, readSection, z } from '../plugin-api/index.ts';
import { newElement } from '../config/element.ts';
import { toBool } from '../config/types.ts';
import { markRubyFloat } from '../formatter/ruby-float.ts';
import { createTimeFormatter, timeParams } from '../formatter/time-formatter.ts';

/** Fluentd's <inject> section (plugin_helper/inject.rb). */
export const injectParams = z.object({
  hostname_key: p.string().optional().describe('Add the host name under this key.'),
  hostname: p.string().optional().describe('The host name to add (default: this machine\'s).'),
  worker_id_key: p.string().optional().describe('Add the worker id under this key.'),
  tag_key: p.string().optional().describe('Add the tag under this key.'),
  time_key: p.string().optional().describe('Add the event time under this key.'),
  time_type: p
    .enum(['float', 'unixtime', 'unixtime_millis', 'unixtime_micros', 'unixtime_nanos', 'string'])
    .default('float')
    .describe('float (microseconds), unixtime[_millis|_micros|_nanos], or string (time_format).'),
  ...timeParams,
});

/** Adds the configured fields to a record; returns the record itself when nothing is injected. */
export type Injector = (tag: string, sec: number, nsec: number, record: EventRecord) => EventRecord;

const identity: Injector = (_tag, _sec, _nsec, record) => record;

/**
 * Builds Fluentd's inject_values_to_record for an <inject> section (or none). The record is copied only when
 * something is injected, so an output without <inject> pays one call.
 */
export function createInjector(section: ConfigElement | undefined, ctx: PluginContext & { buffer?: { chunkKeys: string[] } | undefined }): Injector {
  if (!section) return identity;
  const params = readSection(injectParams, section, { log: ctx.log });
  const { hostname_key: hostnameKey, worker_id_key: workerIdKey, tag_key: tagKey, time_key: timeKey } = params;
  let hostname: string | undefined;
  if (hostnameKey !== undefined) {
    if (ctx.buffer?.chunkKeys.includes(hostnameKey)) {
      throw new ConfigError("the key specified by 'hostname_key' in <inject> cannot be used in buffering chunk key.", {
        location: section.attrLocations.hostname_key ?? section.location, section: 'inject', param: 'hostname_key',
      });
    }
    hostname = params.hostname ?? osHostname();
    if (params.hostname === undefined) ctx.log.info({ host_key: hostnameKey, host_name: hostname }, 'using hostname for specified field');
  }
  if (timeKey === undefined && params.time_format !== undefined) {
    ctx.log.warn({}, "'time_format' specified without 'time_key', will be ignored");
  }
  if (hostnameKey === undefined && workerIdKey === undefined && tagKey === undefined && timeKey === undefined) return identity;
  const timeValue = timeKey === undefined ? undefined : injectedTime(params, section);
  const workerId = ctx.system.workerId;
  return (tag, sec, nsec, record) => {
    const r = { ...record };
    if (hostnameKey !== undefined) r[hostnameKey] = hostname;
    if (workerIdKey !== undefined) r[workerIdKey] = workerId;
    if (tagKey !== undefined) r[tagKey] = tag;
    if (timeValue !== undefined) {
      const t = timeValue(sec, nsec);
      r[timeKey!] = t;
      // Fluentd's float time is a Ruby Float: an integral one must still print as `1.0`.
      if (params.time_type === 'float' && Number.isInteger(t as number)) markRubyFloat(r, timeKey!);
    }
    return r;
  };
}

function injectedTime(params: z.output<typeof injectParams>, section: ConfigElement): (sec: number, nsec: number) => string | number | bigint {
  switch (params.time_type) {
    case 'float':
      // time.to_r.truncate(6).to_f: microseconds, rounded once from the exact decimal as Rational#to_f does.
      return (sec, nsec) => Number(`${sec}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`);
    case 'unixtime':
      return (sec) => sec;
    case 'unixtime_millis':
      return (sec, nsec) => sec * 1000 + Math.floor(nsec / 1e6);
    case 'unixtime_micros':
      return (sec, nsec) => sec * 1e6 + Math.floor(nsec / 1000);
    case 'unixtime_nanos':
      // Epoch nanoseconds exceed 2^53: exact only as a BigInt, which the JSON, hash and msgpack writers print.
      return (sec, nsec) => BigInt(sec) * 1_000_000_000n + BigInt(nsec);
    default:
      return createTimeFormatter({ ...params, localtime: params.localtime && !params.utc }, section);
  }
}

/** v0.12 parameters compat_parameters turns into an <inject> section; outputs that use <inject> accept them. */
export const legacyInjectParams = {
  include_tag_key: p.bool().optional().describe('v0.12: add the tag under tag_key (default "tag"); use <inject>.'),
  include_time_key: p.bool().optional().describe('v0.12: add the time under time_key (default "time"); use <inject>.'),
  tag_key: p.string().optional().describe('v0.12: see include_tag_key; use <inject>.'),
  time_key: p.string().optional().describe('v0.12: see include_time_key; use <inject>.'),
  time_as_epoch: p.bool().optional().describe('v0.12: the injected time as epoch seconds; use <inject>.'),
  time_format: p.string().optional().describe('v0.12: time_format of the injected time; use <inject>.'),
  timezone: p.string().optional().describe('v0.12: time zone of the injected time; use <inject>.'),
  localtime: p.bool().optional().describe('v0.12: injected time in local time; use <inject>.'),
  utc: p.bool().optional().describe('v0.12: injected time in UTC; use <inject>.'),
};

const LEGACY_COPIED = ['time_key', 'time_format', 'timezone', 'tag_key'];

/**
 * The output's <inject> section, or one built from v0.12 parameters as Fluentd's compat_parameters_inject does
 * (include_time_key gives time_key "time" with time_type string; include_tag_key gives tag_key "tag").
 */
export function injectSectionOf(conf: ConfigElement): ConfigElement | undefined {
  const given = conf.elements.find((e) => e.name === 'inject');
  if (given) return given;
  const legacy = [...LEGACY_COPIED, 'include_time_key', 'include_tag_key', 'localtime', 'utc'];
  if (!legacy.some((k) => k in conf.attrs)) return undefined;
  const section = newElement('inject', '', conf.location);
  for (const key of LEGACY_COPIED) {
    if (key in conf.attrs) {
      section.attrs[key] = conf.attrs[key]!;
      section.attrLocations[key] = conf.attrLocations[key] ?? conf.location;
    }
  }
  const flag = (key: string) => key in conf.attrs && toBool(conf.attrs[key]!) === true;
  if (flag('include_time_key')) {
    section.attrs.time_key ??= 'time';
    section.attrs.time_type ??= 'string';
  }
  if (flag('time_as_epoch')) {
    section.attrs.time_key ??= 'time';
    section.attrs.time_type = 'unixtime';
  }
  if ('localtime' in conf.attrs || 'utc' in conf.attrs) {
    const utc = 'utc' in conf.attrs && conf.attrs.utc !== 'false';
    const localtime = 'localtime' in conf.attrs && conf.attrs.localtime !== 'false';
    if ('localtime' in conf.attrs && 'utc' in conf.attrs && localtime === utc) {
      throw new ConfigError('both of utc and localtime are specified, use only one of them', { location: conf.location, section: conf.name });
    }
    section.attrs.localtime = 'localtime' in conf.attrs ? String(toBool(conf.attrs.localtime!)) : String(!toBool(conf.attrs.utc!));
  }
  if (flag('include_tag_key')) section.attrs.tag_key ??= 'tag';
  return section;
}
