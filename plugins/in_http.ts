import { ConfigError, defineInput, newElement, p, z, type ConfigElement, type InputContext } from '../src/plugin-api/index.ts';
import { createExtractor, type Extractor } from '../src/plugin-helpers/extract.ts';
import { BadRequest } from '../src/http/records.ts';
import { HttpSource } from '../src/http/http-source.ts';
import { readTransport, transportDescription, transportParams } from '../src/server/transport.ts';

// What Fluentd's default `in_http` parser reads: the record's time field and how to read it.
const TIME_KEYS = ['time_key', 'keep_time_key', 'time_type', 'time_format', 'localtime', 'utc', 'timezone'];

/**
 * Fluentd's in_http: POST /TAG with a JSON object or array, ndjson, msgpack, or `json=` / `msgpack=` form fields
 * (or a body for a <parse> of another type). A body that is no valid event is answered 400 with the reason and
 * nothing is emitted; a full buffer is answered 500, so the client keeps the events.
 */
export default defineInput({
  type: 'http',
  description: 'Receives events over HTTP: POST /TAG with JSON, ndjson, msgpack or form bodies (or <parse>).',
  helpers: ['parse'],
  params: z.object({
    port: p.integer().default(9880).describe('The port to listen on; 0: any free port, logged at start.'),
    bind: p.string().default('0.0.0.0').describe('The address to listen on.'),
    body_size_limit: p.size().default(32 * 1024 * 1024).describe('Larger bodies are answered 413.'),
    decompression_size_limit: p.size().default(256 * 1024 * 1024).describe('The most bytes a gzip or deflate body may decompress to.'),
    keepalive_timeout: p.time().default(10).describe('Close an idle keep-alive connection after this long.'),
    backlog: p.integer().optional().describe('The listen backlog.'),
    add_http_headers: p.bool().default(false).describe('Add each request header as HTTP_<NAME> to the records.'),
    add_remote_addr: p.bool().default(false).describe('Add REMOTE_ADDR (the client, or X-Forwarded-For\'s first address).'),
    blocking_timeout: p.unsupported('it tunes Cool.io\'s event loop, which Node does not have'),
    cors_allow_origins: p.array().optional().describe('Origins allowed by CORS (`*`, exact, or one `*` wildcard).'),
    cors_allow_credentials: p.bool().default(false).describe('Send Access-Control-Allow-Credentials (needs specific origins).'),
    respond_with_empty_img: p.bool().default(false).describe('Answer with a 1x1 GIF.'),
    use_204_response: p.bool().default(false).describe('Answer 204 No Content instead of 200.'),
    dump_error_log: p.bool().default(true).describe('Log requests that fail (400/500).'),
    add_query_params: p.bool().default(false).describe('Add each query parameter as QUERY_<NAME> to the records.'),
    add_tag_prefix: p.string().optional().describe('Prefix the tag taken from the path: `prefix.tag`.'),
  }),
  sections: {
    transport: { description: transportDescription(['tcp', 'tls'], false), params: transportParams },
  },
  async create(ctx, params, conf) {
    const fail = (message: string, param?: string) =>
      new ConfigError(message, { location: (param && conf.attrLocations[param]) || conf.location, section: conf.name, param });
    if (params.cors_allow_credentials && (params.cors_allow_origins === undefined || params.cors_allow_origins.includes('*'))) {
      throw fail('Cannot enable cors_allow_credentials without specific origins', 'cors_allow_credentials');
    }
    if (params.add_tag_prefix === '') throw fail("'add_tag_prefix' parameter must not be empty", 'add_tag_prefix');
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    const type = parseConf?.attrs['@type'] ?? 'in_http';
    const formats = type === 'in_http' ? await defaultFormat(ctx, parseConf) : { json: undefined, recordTime: undefined, custom: await ctx.createParser(parseConf) };
    const transport = readTransport(conf, ctx.log, ['tcp', 'tls'], 'tcp');
    const transportConf = conf.elements.find((e) => e.name === 'transport');
    if (transportConf && 'linger_timeout' in transportConf.attrs) {
      throw new ConfigError('linger_timeout: node:http closes its connections itself; logferry\'s in_http does not take it', {
        location: transportConf.attrLocations.linger_timeout ?? transportConf.location, section: 'transport', param: 'linger_timeout',
      });
    }
    const source = new HttpSource(ctx, {
      port: params.port,
      bind: params.bind,
      backlog: params.backlog,
      tls: transport.tls,
      bodySizeLimit: params.body_size_limit,
      decompressionSizeLimit: params.decompression_size_limit,
      keepaliveTimeout: params.keepalive_timeout,
      addHttpHeaders: params.add_http_headers,
      addRemoteAddr: params.add_remote_addr,
      addQueryParams: params.add_query_params,
      addTagPrefix: params.add_tag_prefix,
      corsAllowOrigins: params.cors_allow_origins,
      corsAllowCredentials: params.cors_allow_credentials,
      respondWithEmptyImg: params.respond_with_empty_img,
      use204Response: params.use_204_response,
      dumpErrorLog: params.dump_error_log,
      ...formats,
    });
    return {
      async start() {
        const port = await source.start();
        ctx.log.info({ bind: params.bind, port }, 'listening http');
      },
      shutdown: () => source.stop(),
    };
  },
});

/** The json parser for bodies, and the time field (`time`, a float of seconds unless time_type/time_format say). */
async function defaultFormat(ctx: InputContext, parseConf: ConfigElement | undefined) {
  const where = parseConf ?? newElement('parse', '', ctx.location);
  for (const key of Object.keys(where.attrs)) {
    if (key === '@type' || TIME_KEYS.includes(key)) continue;
    throw new ConfigError(`'${key}' is not used by in_http's default parser (only ${TIME_KEYS.join(', ')}); give <parse> a @type to parse bodies with it`, {
      location: where.attrLocations[key] ?? where.location, section: 'parse', param: key,
    });
  }
  const extract = newElement('extract', '', where.location);
  extract.attrs.time_key = 'time';
  extract.attrLocations = where.attrLocations;
  for (const key of TIME_KEYS) if (key in where.attrs) extract.attrs[key] = where.attrs[key]!;
  if ('time_format' in where.attrs && !('time_type' in where.attrs)) extract.attrs.time_type = 'string';
  const jsonConf: ConfigElement = { ...newElement('parse', '', where.location), nils: new Set(['time_key']) };
  const extractor = createExtractor(extract, ctx)!;
  const timeKey = extract.attrs.time_key!;
  // Without time_type/time_format Fluentd takes the field as Time.at(value): a value that is no number is a 400.
  const numericOnly = !('time_type' in where.attrs) && !('time_format' in where.attrs);
  const recordTime: Extractor = (record, into) => {
    const v = record[timeKey];
    if (numericOnly && v !== undefined && typeof v !== 'number') throw new BadRequest(`${timeKey}: can't convert ${JSON.stringify(v)} into an exact number`);
    extractor(record, into);
  };
  return {
    json: await ctx.createParser(jsonConf, { '@type': 'json', estimate_current_event: 'false' }),
    recordTime,
    custom: undefined,
  };
}
