import { p, z, type SectionSpec } from '../plugin-api/index.ts';
import { legacyInjectParams } from '../plugin-helpers/inject.ts';

/** out_s3's parameters: fluent-plugin-s3's names, defaults and meanings (lib/fluent/plugin/out_s3.rb). */
export const s3Params = z.object({
  s3_bucket: p.string().describe('Bucket name (required).'),
  s3_region: p.string().optional().describe('Region (default: AWS_REGION, else us-east-1).'),
  s3_endpoint: p.string().optional().describe('Endpoint of an S3-compatible service (default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL).'),
  force_path_style: p.bool().default(false).describe('Path-style addressing (deprecated; automatic for IP and localhost endpoints).'),
  enable_transfer_acceleration: p.bool().default(false).describe('Use S3 Transfer Acceleration.'),
  enable_dual_stack: p.bool().default(false).describe('Use the dual-stack (IPv4/IPv6) endpoint.'),
  aws_key_id: p.secret().optional().describe('Access key id (default: the AWS SDK credential chain).'),
  aws_sec_key: p.secret().optional().describe('Secret access key.'),
  aws_profile: p.string().optional().describe('Profile of the shared config/credentials files.'),
  aws_credential_process: p.string().optional().describe('A command printing credentials as JSON (credential_process format).'),
  aws_iam_retries: p.integer().optional().describe('Deprecated: instance profile credentials with this many retries.'),
  path: p.string().default('').describe('Key prefix (%{path}); ${tag}, ${tag[N]}, ${key} and strftime placeholders.'),
  s3_object_key_format: p.string().default('%{path}%{time_slice}_%{index}.%{file_extension}').describe('Object key template.'),
  time_slice_format: p.string().optional().describe('strftime of %{time_slice} (default: derived from timekey).'),
  index_format: p.string().default('%d').describe('sprintf format of %{index}: %d, %0Nd, %x or %X.'),
  hex_random_length: p.integer().default(4).describe('Length of %{hex_random} (at most 16).'),
  store_as: p.string().default('gzip').describe('gzip (.gz), json (.json, not compressed) or text (.txt).'),
  check_object: p.bool().default(true).describe('HEAD each key and bump %{index} until it is free (needs s3:GetObject).'),
  check_bucket: p.bool().default(true).describe('Check at start that the bucket exists.'),
  auto_create_bucket: p.bool().default(true).describe('Create a missing bucket at start (with check_bucket).'),
  check_apikey_on_start: p.bool().default(true).describe('List one object under path at start to check the credentials.'),
  overwrite: p.bool().default(false).describe('Overwrite an existing key instead of failing (key formats without %{index}).'),
  storage_class: p.string().default('STANDARD').describe('Storage class of the objects.'),
  reduced_redundancy: p.bool().default(false).describe('Deprecated: storage_class REDUCED_REDUNDANCY.'),
  acl: p.string().optional().describe('Canned ACL of the objects.'),
  grant_full_control: p.string().optional().describe('Grantees of READ, READ_ACP and WRITE_ACP.'),
  grant_read: p.string().optional().describe('Grantees of READ.'),
  grant_read_acp: p.string().optional().describe('Grantees of READ_ACP.'),
  grant_write_acp: p.string().optional().describe('Grantees of WRITE_ACP.'),
  use_server_side_encryption: p.string().optional().describe('Server-side encryption: AES256 or aws:kms.'),
  ssekms_key_id: p.secret().optional().describe('KMS key id for aws:kms.'),
  sse_customer_algorithm: p.string().optional().describe('SSE-C algorithm (AES256).'),
  sse_customer_key: p.secret().optional().describe('SSE-C key.'),
  sse_customer_key_md5: p.secret().optional().describe('SSE-C key MD5.'),
  compute_checksums: p.bool().optional().describe('true: a checksum on every request; default: only where S3 requires one.'),
  checksum_algorithm: p.enum(['CRC32', 'CRC32C', 'SHA1', 'SHA256']).optional().describe('Checksum S3 verifies on upload.'),
  signature_version: p.enum(['v4']).optional().describe('Only v4 exists in the AWS SDK v3 (s3/v2 signatures are refused).'),
  s3_metadata: p.hash().optional().describe('x-amz-meta-* headers; values may use placeholders and %{index}.'),
  tagging: p.string().optional().describe('Object tags, URL-encoded (k1=v1&k2=v2).'),
  warn_for_delay: p.time().optional().describe('Warn when a chunk is uploaded this long after its timekey.'),
  ssl_verify_peer: p.bool().default(true).describe('Verify the endpoint certificate (false is refused).'),
  proxy_uri: p.unsupported('the AWS SDK v3 node handler takes no proxy URI; route through a proxy at the network level'),
  ssl_ca_bundle: p.unsupported('set NODE_EXTRA_CA_CERTS for the process instead'),
  ssl_ca_directory: p.unsupported('set NODE_EXTRA_CA_CERTS for the process instead'),
  use_bundled_cert: p.unsupported('Node uses its own CA store; set NODE_EXTRA_CA_CERTS'),
  // v0.12 parameters; utc, localtime and timezone also set the default <format>'s time zone, as compat_parameters does.
  ...legacyInjectParams,
});
export type S3Params = z.output<typeof s3Params>;

const stsParams = {
  role_arn: p.string().describe('ARN of the role to assume.'),
  role_session_name: p.string().describe('Name of the role session.'),
  policy: p.string().optional().describe('An IAM policy in JSON.'),
  duration_seconds: p.integer().optional().describe('Duration of the role session.'),
  sts_region: p.string().optional().describe('Region of the STS endpoint (default: s3_region).'),
  sts_endpoint_url: p.string().optional().describe('A regional STS endpoint URL.'),
  sts_http_proxy: p.unsupported('the AWS SDK v3 node handler takes no proxy URI'),
};

export const assumeRoleParams = z.object({
  ...stsParams,
  external_id: p.secret().optional().describe('External id required by the role.'),
});
export const webIdentityParams = z.object({
  ...stsParams,
  web_identity_token_file: p.string().describe('File holding the OIDC token.'),
});
export const instanceProfileParams = z.object({
  retries: p.integer().optional().describe('Retries of the metadata request.'),
  http_open_timeout: p.float().optional().describe('Seconds to connect (added to http_read_timeout: the SDK has one timeout).'),
  http_read_timeout: p.float().optional().describe('Seconds to read.'),
  ip_address: p.unsupported('set AWS_EC2_METADATA_SERVICE_ENDPOINT instead'),
  port: p.unsupported('set AWS_EC2_METADATA_SERVICE_ENDPOINT instead'),
});
export const sharedCredentialsParams = z.object({
  path: p.string().optional().describe('The shared credentials file (default: ~/.aws/credentials).'),
  profile_name: p.string().optional().describe('Profile (default: AWS_PROFILE, else default).'),
});

export const s3Sections: Record<string, SectionSpec> = {
  assume_role_credentials: { description: 'Credentials of an assumed role (sts:AssumeRole), refreshed before they expire.', params: assumeRoleParams },
  web_identity_credentials: { description: 'Credentials from sts:AssumeRoleWithWebIdentity with an OIDC token file.', params: webIdentityParams },
  instance_profile_credentials: { description: 'EC2 instance profile (IMDSv2) or ECS task role credentials.', params: instanceProfileParams },
  shared_credentials: { description: 'Credentials from a shared credentials file.', params: sharedCredentialsParams },
  bucket_lifecycle_rule: { description: 'Not supported: manage lifecycle rules with your infrastructure tooling.', params: null, multi: true },
};
