import { ConfigError, defineOutput, readSection, UnrecoverableError, type Chunk, type ConfigElement } from '../src/plugin-api/index.ts';
import { createInjector, injectSectionOf } from '../src/plugin-helpers/inject.ts';
import { compileStrftime } from '../src/time/strftime.ts';
import { resolveZone } from '../src/time/zone.ts';
import { createS3Client, defaultRegion } from '../src/s3/client.ts';
import { chooseCredentials, type CredentialSections } from '../src/s3/credentials.ts';
import { describeS3Failure } from '../src/s3/errors.ts';
import { KeyChooser, objectExists } from '../src/s3/key-chooser.ts';
import { compileKeyFormat, INDEX_FORMAT, timeSliceFormatFor } from '../src/s3/key-format.ts';
import { moveLegacyFormatParams } from '../src/s3/legacy-format.ts';
import { objectParams } from '../src/s3/object-params.ts';
import { assumeRoleParams, instanceProfileParams, s3Params, s3Sections, sharedCredentialsParams, webIdentityParams } from '../src/s3/params.ts';
import { runStartChecks } from '../src/s3/start-checks.ts';
import { storeAs, type StoreAs } from '../src/s3/store-as.ts';
import { uploadChunk } from '../src/s3/upload.ts';

const MAX_HEX_RANDOM_LENGTH = 16;

/** fluent-plugin-s3's out_s3: each buffer chunk becomes one S3 object, keyed exactly as the plugin keys it. */
export default defineOutput({
  type: 's3',
  description: 'Uploads each buffer chunk as one S3 object, keyed, formatted and compressed as fluent-plugin-s3 does.',
  params: s3Params,
  sections: s3Sections,
  helpers: ['format', 'inject', 'buffer'],
  buffer: { chunkKeys: ['time'], defaults: { timekey: '86400' } },
  prepare(conf) {
    moveLegacyFormatParams(conf, s3Params.shape);
  },
  async create(ctx, params, conf) {
    const configError = (param: string, message: string) => new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: conf.name, param });
    const warn = (message: string, fields: Record<string, unknown> = {}) => ctx.log.warn(fields, message);
    const endpoint = params.s3_endpoint;
    if (endpoint && !endpoint.endsWith('vpce.amazonaws.com') && endpoint.endsWith('amazonaws.com') && !['fips', 'gov'].some((e) => endpoint.includes(e))) {
      throw configError('s3_endpoint', 's3_endpoint parameter is not supported for S3, use s3_region instead. This parameter is for S3 compatible services');
    }
    if (params.s3_region === '') {
      // What "#{ENV['AWS_REGION']}" gives when the variable is unset; the SDK would only say "Region is missing".
      throw configError('s3_region', 's3_region is empty: give a region, or set the environment variable the config reads it from (AWS_REGION in td-agent\'s configs); without s3_region, logferry uses AWS_REGION, else us-east-1');
    }
    if (!params.ssl_verify_peer) throw configError('ssl_verify_peer', 'ssl_verify_peer false is refused: give the endpoint\'s CA with NODE_EXTRA_CA_CERTS instead');
    let store: StoreAs;
    try {
      store = storeAs(params.store_as);
    } catch (err) {
      throw configError('store_as', (err as Error).message);
    }
    if (params.hex_random_length > MAX_HEX_RANDOM_LENGTH) {
      throw configError('hex_random_length', `hex_random_length parameter must be less than or equal to ${MAX_HEX_RANDOM_LENGTH}`);
    }
    if (!INDEX_FORMAT.test(params.index_format)) {
      throw configError('index_format', 'index_format parameter should follow `%[flags][width]type`. `0` is the only supported flag, and is mandatory if width is specified. `d`, `x` and `X` are supported types');
    }
    if (params.reduced_redundancy) warn('reduced_redundancy parameter is deprecated. Use storage_class parameter instead');
    const lifecycle = conf.elements.find((e) => e.name === 'bucket_lifecycle_rule');
    if (lifecycle) throw new ConfigError('<bucket_lifecycle_rule> is not supported by logferry: manage lifecycle rules with your infrastructure tooling', { location: lifecycle.location, section: lifecycle.name });

    const buffer = ctx.buffer;
    const timekeyZone = buffer?.timekeyZone ?? '+0000';
    const sliceFormat = params.time_slice_format ?? timeSliceFormatFor(buffer?.timekey ?? null);
    const slice = compileStrftime(sliceFormat, resolveZone(timekeyZone));
    const formatGiven = 's3_object_key_format' in conf.attrs;
    const keyFormat = compileKeyFormat({
      format: params.s3_object_key_format, formatGiven, checkObject: params.check_object, path: params.path, extension: store.ext,
      indexFormat: params.index_format, hexRandomLength: params.hex_random_length,
      timeSlice: (chunk) => (chunk.metadata.timekey === null ? '' : slice(chunk.metadata.timekey, 0)),
      extractPlaceholders: (template, chunk) => ctx.extractPlaceholders(template, chunk),
      warn: (message) => warn(message),
      configError: (message) => configError('s3_object_key_format', message),
    });
    if (!formatGiven) warn('The default value of s3_object_key_format will use ${chunk_id} instead of %{index} to avoid object conflict in v2');
    if (((buffer?.flushThreadCount ?? 1) > 1 || ctx.system.workers > 1) && !keyFormat.usesUniquePart) {
      warn('No ${chunk_id}, %{uuid_flush} or %{hex_random} in s3_object_key_format with multiple flush threads or multiple workers. Recommend to set ${chunk_id}, %{uuid_flush} or %{hex_random} to avoid data lost by object conflict');
    }

    const formatter = await ctx.createFormatter(conf.elements.find((e) => e.name === 'format'), { '@type': 'out_file' });
    const inject = createInjector(injectSectionOf(conf), ctx);
    const region = params.s3_region ?? defaultRegion();
    const credentials = chooseCredentials(params, readCredentialSections(conf, ctx.log), region, warn);
    const client = createS3Client({
      region, endpoint, forcePathStyle: params.force_path_style, credentials: credentials.credentials,
      useAccelerateEndpoint: params.enable_transfer_acceleration, useDualstackEndpoint: params.enable_dual_stack,
      computeChecksums: params.compute_checksums,
    });
    const bucket = params.s3_bucket;
    const keys = new KeyChooser({
      format: keyFormat, checkObject: params.check_object, overwrite: params.overwrite,
      rememberIndex: Object.values(params.s3_metadata ?? {}).some((v) => String(v).includes('%{index}')),
      exists: (key) => objectExists(client, bucket, key),
      warn: (message, key) => warn(message, { key }),
    });
    const paramsFor = objectParams(params, store.contentType, (template, chunk) => ctx.extractPlaceholders(template, chunk));

    async function upload(chunk: Chunk, key: string, index: number): Promise<void> {
      try {
        await uploadChunk(client, paramsFor(key, index, chunk), chunk, store.gzip);
      } catch (err) {
        const failure = describeS3Failure(err, bucket);
        const message = `out_s3: upload of chunk ${chunk.chunkId} to s3://${bucket}/${key} failed: ${failure.message}`;
        throw failure.retryable ? new Error(message, { cause: err }) : new UnrecoverableError(message, { cause: err });
      }
    }

    return {
      async start() {
        ctx.log.info({ bucket, credentials: credentials.source }, 'out_s3: using credentials from ' + credentials.source);
        try {
          await runStartChecks(client, {
            bucket, path: params.path, checkApikey: params.check_apikey_on_start, checkBucket: params.check_bucket, autoCreateBucket: params.auto_create_bucket,
          }, (message) => ctx.log.info({ bucket }, message));
        } catch (err) {
          // Fluentd refuses to start here; logferry runs on and keeps every chunk buffered until S3 takes it.
          ctx.log.error({ bucket }, `out_s3: ${(err as Error).message}; chunks stay buffered and are retried`);
        }
      },
      format(tag, sec, nsec, record) {
        return formatter.format(tag, sec, nsec, inject(tag, sec, nsec, record));
      },
      async write(chunk) {
        const { key, index } = await keys.choose(chunk);
        ctx.log.debug({ chunk_id: chunk.chunkId, key }, 'out_s3: write chunk');
        await upload(chunk, key, index);
        // Fluentd says this at debug; at info it is the operator's proof that data leaves the machine.
        ctx.log.info({ chunk_id: chunk.chunkId, records: chunk.recordCount }, `out_s3: uploaded s3://${bucket}/${key}`);
        if (params.warn_for_delay !== undefined && chunk.metadata.timekey !== null && chunk.metadata.timekey < Date.now() / 1000 - params.warn_for_delay) {
          warn(`out_s3: delayed events were put to s3://${bucket}/${key}`, { key });
        }
      },
    };
  },
});

/** The four credential sections, typed (at most one of each, as in the plugin). */
function readCredentialSections(conf: ConfigElement, log: { warn: (obj: object, msg: string) => void }): CredentialSections {
  const read = <T>(name: string, schema: Parameters<typeof readSection>[0]): T | undefined => {
    const found = conf.elements.filter((e) => e.name === name);
    if (found.length > 1) throw new ConfigError(`<${name}> may appear only once`, { location: found[1]!.location, section: name });
    return found[0] ? (readSection(schema, found[0], { log }) as T) : undefined;
  };
  return {
    assumeRole: read('assume_role_credentials', assumeRoleParams),
    webIdentity: read('web_identity_credentials', webIdentityParams),
    instanceProfile: read('instance_profile_credentials', instanceProfileParams),
    shared: read('shared_credentials', sharedCredentialsParams),
  };
}
