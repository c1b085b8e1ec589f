import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError, defineOutput, p, UnrecoverableError, z, type Chunk } from '../src/plugin-api/index.ts';
import { compileStrftime } from '../src/time/strftime.ts';
import { resolveZone } from '../src/time/zone.ts';
import { createInjector, injectSectionOf } from '../src/plugin-helpers/inject.ts';
import { createS3Client, describeS3Error } from '../src/s3/client.ts';
import { compileKeyTemplate, timeSliceFormatFor } from '../src/s3/key.ts';

const gzipAsync = promisify(gzip);
const STORE_AS: Record<string, { ext: string; type: string }> = {
  gzip: { ext: 'gz', type: 'application/x-gzip' },
  json: { ext: 'json', type: 'application/json' },
  text: { ext: 'txt', type: 'text/plain' },
};
// Below this a chunk is gzipped in one piece (zlib on the threadpool) and sent with PutObject; above, streamed multipart.
const MULTIPART_THRESHOLD = 5 * 1024 * 1024;
const credentialSection = (why: string) => ({ description: `Not supported: ${why}`, params: null });

const params = z.object({
  s3_bucket: p.string().describe('Bucket name (required).'),
  s3_region: p.string().optional().describe('Region (default: AWS_REGION, else us-east-1).'),
  s3_endpoint: p.string().optional().describe('Endpoint of an S3-compatible service (default: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).'),
  force_path_style: p.bool().default(false).describe('Path-style addressing (automatic for IP and localhost endpoints).'),
  enable_transfer_acceleration: p.bool().default(false).describe('Use S3 Transfer Acceleration.'),
  enable_dual_stack: p.bool().default(false).describe('Use the dual-stack endpoint.'),
  aws_key_id: p.secret().optional().describe('Access key id (default: the AWS SDK credential chain).'),
  aws_sec_key: p.secret().optional().describe('Secret access key.'),
  aws_iam_retries: p.integer().optional().describe('Deprecated in fluent-plugin-s3; the SDK chain retries itself.'),
  path: p.string().default('').describe('Key prefix; ${tag}, %Y.. and ${key} placeholders.'),
  s3_object_key_format: p.string().default('%{path}%{time_slice}_%{index}.%{file_extension}').describe('Object key template.'),
  time_slice_format: p.string().optional().describe('strftime of %{time_slice} (default: from timekey).'),
  utc: p.bool().default(false).describe('%{time_slice} in UTC.'),
  index_format: p.string().default('%d').describe('sprintf format of %{index} (%d, %03d, %x).'),
  hex_random_length: p.integer().default(4).describe('Length of %{hex_random} (at most 16).'),
  store_as: p.string().default('gzip').describe('gzip, json or text (json and text are not compressed).'),
  check_object: p.bool().default(true).describe('HEAD each key and bump %{index} until free (needs s3:GetObject).'),
  check_bucket: p.bool().default(true).describe('Check the bucket exists at start.'),
  auto_create_bucket: p.bool().default(true).describe('Create the bucket at start when missing.'),
  check_apikey_on_start: p.bool().default(true).describe('List one object at start to check the credentials.'),
  overwrite: p.bool().default(false).describe('Overwrite an existing key instead of failing (keys without %{index}).'),
  storage_class: p.string().default('STANDARD').describe('Storage class of the objects.'),
  reduced_redundancy: p.bool().default(false).describe('Deprecated: storage_class REDUCED_REDUNDANCY.'),
  acl: p.string().optional().describe('Canned ACL.'),
  grant_full_control: p.string().optional().describe('x-amz-grant-full-control.'),
  grant_read: p.string().optional().describe('x-amz-grant-read.'),
  grant_read_acp: p.string().optional().describe('x-amz-grant-read-acp.'),
  grant_write_acp: p.string().optional().describe('x-amz-grant-write-acp.'),
  use_server_side_encryption: p.string().optional().describe('AES256 or aws:kms.'),
  ssekms_key_id: p.secret().optional().describe('KMS key for aws:kms.'),
  sse_customer_algorithm: p.string().optional().describe('SSE-C algorithm (AES256).'),
  sse_customer_key: p.secret().optional().describe('SSE-C key.'),
  sse_customer_key_md5: p.secret().optional().describe('SSE-C key MD5.'),
  compute_checksums: p.bool().optional().describe('Accepted; logferry sends checksums only where S3 requires them.'),
  checksum_algorithm: p.enum(['CRC32', 'CRC32C', 'SHA1', 'SHA256']).optional().describe('Checksum S3 verifies on upload.'),
  signature_version: p.enum(['v4', 's3v4']).optional().describe('Only SigV4 exists in the AWS SDK v3.'),
  s3_metadata: p.hash().optional().describe('x-amz-meta-* headers; values may use placeholders.'),
  tagging: p.string().optional().describe('Object tags, URL-encoded (k1=v1&k2=v2).'),
  warn_for_delay: p.time().optional().describe('Warn when a chunk is uploaded this long after its timekey ended.'),
  ssl_verify_peer: p.bool().default(true).describe('Verify the TLS certificate (false is refused: use a CA bundle).'),
  proxy_uri: p.unsupported('set HTTPS_PROXY for the process instead'),
  ssl_ca_bundle: p.unsupported('set NODE_EXTRA_CA_CERTS for the process instead'),
  ssl_ca_directory: p.unsupported('set NODE_EXTRA_CA_CERTS for the process instead'),
  use_bundled_cert: p.unsupported('Node uses its own CA store; set NODE_EXTRA_CA_CERTS'),
  aws_profile: p.unsupported('set AWS_PROFILE for the process; the SDK chain reads it'),
  aws_credential_process: p.unsupported('configure credential_process in the AWS profile; the SDK chain runs it'),
  sts_http_proxy: p.unsupported('no STS client here'),
});

/** fluent-plugin-s3's out_s3: each buffer chunk becomes one object, keyed exactly as the plugin keys it. */
export default defineOutput({
  type: 's3',
  description: 'Uploads each buffer chunk as one S3 object, keyed as fluent-plugin-s3 keys it.',
  params,
  helpers: ['format', 'buffer', 'inject'],
  sections: {
    assume_role_credentials: credentialSection('put the role in an AWS profile (role_arn) and set AWS_PROFILE; the SDK chain assumes it'),
    web_identity_credentials: credentialSection('set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE; the SDK chain uses them'),
    instance_profile_credentials: credentialSection('the SDK chain uses the instance profile (IMDSv2) by itself'),
    shared_credentials: credentialSection('set AWS_PROFILE / AWS_SHARED_CREDENTIALS_FILE; the SDK chain reads them'),
    bucket_lifecycle_rule: credentialSection('manage lifecycle rules with your infrastructure tooling'),
  },
  buffer: { chunkKeys: ['time'], defaults: { timekey: '86400' } },
  async create(ctx, params, conf) {
    const fail = (param: string, message: string) => new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: conf.name, param });
    for (const name of ['assume_role_credentials', 'web_identity_credentials', 'instance_profile_credentials', 'shared_credentials', 'bucket_lifecycle_rule']) {
      const section = conf.elements.find((e) => e.name === name);
      if (section) throw new ConfigError(`<${name}> is not supported by logferry: the AWS SDK credential chain covers it (env, AWS_PROFILE, web identity, ECS, IMDSv2)`, { location: section.location, section: name });
    }
    const store = STORE_AS[params.store_as];
    if (!store) throw fail('store_as', `store_as ${params.store_as} is not supported by logferry (supported: gzip, json, text)`);
    if (!/^%(0\d*)?[dxX]$/.test(params.index_format)) throw fail('index_format', `${params.index_format} is an invalid index_format (%d, %0Nd, %x, %X)`);
    if (params.hex_random_length > 16) throw fail('hex_random_length', 'hex_random_length must be 16 or less');
    if (/%\{uuid(:[a-z]+)?\}/.test(params.s3_object_key_format)) throw fail('s3_object_key_format', '%{uuid} is not supported; use %{uuid_flush}');
    if (params.s3_endpoint && /amazonaws\.com\/?$/.test(params.s3_endpoint) && !/vpce|fips|gov/.test(params.s3_endpoint)) {
      throw fail('s3_endpoint', 's3_endpoint parameter is not supported for S3, use s3_region instead. This parameter is for S3 compatible services');
    }
    if (!params.ssl_verify_peer) throw fail('ssl_verify_peer', 'ssl_verify_peer false is refused: add the CA with NODE_EXTRA_CA_CERTS instead');
    if (params.s3_object_key_format.includes('%{hostname}')) ctx.log.warn({}, '%{hostname} will be removed in the future. Use "#{Socket.gethostname}" instead');
    if (!('s3_object_key_format' in conf.attrs)) {
      ctx.log.warn({}, 'The default value of s3_object_key_format will use ${chunk_id} instead of %{index} to avoid object conflict in v2');
    }
    const buffer = ctx.buffer!;
    let keyFormat = params.s3_object_key_format;
    if (!params.check_object && !('s3_object_key_format' in conf.attrs)) keyFormat = '%{path}/%{time_slice}_%{hms_slice}.%{file_extension}';
    const sliceFormat = params.time_slice_format ?? timeSliceFormatFor(buffer.timekey);
    const sliceZone = resolveZone(params.utc || buffer.timekeyUseUtc ? 'UTC' : buffer.timekeyZone);
    const slice = sliceFormat ? compileStrftime(sliceFormat, sliceZone) : null;
    const keys = compileKeyTemplate({
      format: keyFormat,
      path: params.path,
      extension: store.ext,
      indexFormat: params.index_format,
      hexRandomLength: params.hex_random_length,
      timeSlice: (chunk) => (slice && chunk.metadata.timekey !== null ? slice(chunk.metadata.timekey, 0) : ''),
      extract: (template, chunk) => ctx.extractPlaceholders(template, chunk),
    });
    const formatter = await ctx.createFormatter(conf.elements.find((e) => e.name === 'format'), { '@type': 'out_file' });
    const inject = createInjector(injectSectionOf(conf), ctx);
    const client = createS3Client({
      region: params.s3_region, endpoint: params.s3_endpoint, forcePathStyle: params.force_path_style,
      accessKeyId: params.aws_key_id, secretAccessKey: params.aws_sec_key,
      useAccelerateEndpoint: params.enable_transfer_acceleration, useDualstackEndpoint: params.enable_dual_stack,
    });
    // s3#160: remember the last index used per key prefix instead of probing from 0 on every flush.
    const nextIndex = new Map<string, number>();
    const bucket = params.s3_bucket;

    async function objectExists(key: string): Promise<boolean> {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        const e = describeS3Error(err);
        if (e.status === 404 || e.code === 'NotFound' || e.code === 'NoSuchKey') return false;
        if (e.status === 403) {
          throw new UnrecoverableError(`HEAD s3://${bucket}/${key} was refused (403): check_object needs the s3:GetObject permission on the bucket; grant it or set check_object false (keys then use %{hms_slice} or your own unique part such as \${chunk_id})`);
        }
        throw new Error(`HEAD s3://${bucket}/${key} failed: ${e.message}`);
      }
    }

    async function chooseKey(chunk: Chunk): Promise<string> {
      // s3#98/#99: a retried chunk keeps the key it was first given, so a retry never makes a second object.
      const remembered = chunk.getMemo('s3_key');
      if (remembered) return remembered;
      let key: string;
      if (params.check_object && keys.hasIndex) {
        const probeBase = keys.resolve(chunk, 0);
        let i = nextIndex.get(probeBase) ?? 0;
        key = keys.resolve(chunk, i);
        while (await objectExists(key)) key = keys.resolve(chunk, ++i);
        nextIndex.set(probeBase, i + 1);
      } else {
        key = keys.resolve(chunk, 0);
        if (params.check_object && await objectExists(key)) {
          if (!params.overwrite) throw new UnrecoverableError(`duplicated path is generated: ${key}. Use %{index} or \${chunk_id} in s3_object_key_format, or overwrite true`);
          ctx.log.warn({ key }, 'object already exists: overwriting it (overwrite true)');
        }
      }
      await chunk.setMemo('s3_key', key);
      return key;
    }

    function putParams(key: string, chunk: Chunk): Omit<PutObjectCommandInput, 'Body'> {
      const input: Omit<PutObjectCommandInput, 'Body'> = {
        Bucket: bucket, Key: key, ContentType: store!.type,
        StorageClass: (params.reduced_redundancy ? 'REDUCED_REDUNDANCY' : params.storage_class) as PutObjectCommandInput['StorageClass'],
      };
      if (params.acl) input.ACL = params.acl as PutObjectCommandInput['ACL'];
      if (params.grant_full_control) input.GrantFullControl = params.grant_full_control;
      if (params.grant_read) input.GrantRead = params.grant_read;
      if (params.grant_read_acp) input.GrantReadACP = params.grant_read_acp;
      if (params.grant_write_acp) input.GrantWriteACP = params.grant_write_acp;
      if (params.use_server_side_encryption) input.ServerSideEncryption = params.use_server_side_encryption as PutObjectCommandInput['ServerSideEncryption'];
      if (params.ssekms_key_id) input.SSEKMSKeyId = params.ssekms_key_id;
      if (params.sse_customer_algorithm) input.SSECustomerAlgorithm = params.sse_customer_algorithm;
      if (params.sse_customer_key) input.SSECustomerKey = params.sse_customer_key;
      if (params.sse_customer_key_md5) input.SSECustomerKeyMD5 = params.sse_customer_key_md5;
      if (params.checksum_algorithm) input.ChecksumAlgorithm = params.checksum_algorithm;
      if (params.tagging) input.Tagging = params.tagging;
      if (params.s3_metadata) {
        input.Metadata = Object.fromEntries(Object.entries(params.s3_metadata).map(([k, v]) => [k, ctx.extractPlaceholders(String(v), chunk).replaceAll('%{index}', '')]));
      }
      return input;
    }

    return {
      async start() {
        try {
          if (params.check_bucket) {
            try {
              await client.send(new HeadBucketCommand({ Bucket: bucket }));
            } catch (err) {
              const e = describeS3Error(err);
              if (e.status !== 404 && e.code !== 'NotFound' && e.code !== 'NoSuchBucket') throw err;
              if (!params.auto_create_bucket) throw new Error(`The specified bucket does not exist: bucket = ${bucket}`);
              ctx.log.info({ bucket }, 'creating the bucket');
              await client.send(new CreateBucketCommand({ Bucket: bucket }));
            }
          }
          if (params.check_apikey_on_start) await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1, Prefix: params.path.split('$')[0]!.split('%')[0] }));
        } catch (err) {
          // Fluentd refuses to start here; logferry keeps running and lets the buffer retry, so nothing is lost.
          ctx.log.error({ bucket, error: describeS3Error(err).message }, 'S3 start-up check failed; chunks stay buffered and are retried');
        }
      },
      format(tag, sec, nsec, record) {
        return formatter.format(tag, sec, nsec, inject(tag, sec, nsec, record));
      },
      async write(chunk) {
        const key = await chooseKey(chunk);
        const input = putParams(key, chunk);
        try {
          if (params.store_as === 'gzip' && chunk.bytesize > MULTIPART_THRESHOLD) {
            const body = new PassThrough();
            const upload = new Upload({ client, params: { ...input, Body: body }, partSize: 5 * 1024 * 1024, queueSize: 2, leavePartsOnError: false });
            await Promise.all([pipeline(chunk.open(), createGzip(), body), upload.done()]);
          } else if (chunk.bytesize > MULTIPART_THRESHOLD) {
            const upload = new Upload({ client, params: { ...input, Body: chunk.open() }, partSize: 5 * 1024 * 1024, queueSize: 2, leavePartsOnError: false });
            await upload.done();
          } else {
            const raw = await chunk.read();
            const body = params.store_as === 'gzip' ? await gzipAsync(raw) : raw;
            await client.send(new PutObjectCommand({ ...input, Body: body, ContentLength: body.length }));
          }
        } catch (err) {
          const e = describeS3Error(err);
          ctx.log.warn({ key, bucket, error: e.message }, `upload of chunk ${chunk.chunkId} failed`);
          if (e.permanent && e.code !== 'NoSuchBucket') throw new UnrecoverableError(`s3://${bucket}/${key}: ${e.message}`, { cause: err });
          throw new Error(`s3://${bucket}/${key}: ${e.message}`, { cause: err });
        }
        if (params.warn_for_delay !== undefined && chunk.metadata.timekey !== null && buffer.timekey !== null) {
          const delay = Date.now() / 1000 - (chunk.metadata.timekey + buffer.timekey);
          if (delay > params.warn_for_delay) ctx.log.warn({ key, delay_seconds: Math.round(delay) }, 'object uploaded later than warn_for_delay');
        }
      },
    };
  },
});
