import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { Chunk } from '../plugin-api/index.ts';
import { formatIndex, replaceAllPlaceholders } from './key-format.ts';
import type { S3Params } from './params.ts';
import type { ObjectParams } from './upload.ts';

type Extract = (template: string, chunk: Chunk) => string;

/** The PutObject (or CreateMultipartUpload) settings out_s3 sends with every object. */
export function objectParams(params: S3Params, contentType: string, extract: Extract) {
  const fixed: ObjectParams = { Bucket: params.s3_bucket, Key: '', ContentType: contentType, StorageClass: (params.reduced_redundancy ? 'REDUCED_REDUNDANCY' : params.storage_class) as PutObjectCommandInput['StorageClass'] };
  if (params.use_server_side_encryption) fixed.ServerSideEncryption = params.use_server_side_encryption as PutObjectCommandInput['ServerSideEncryption'];
  if (params.ssekms_key_id) fixed.SSEKMSKeyId = params.ssekms_key_id;
  if (params.sse_customer_algorithm) fixed.SSECustomerAlgorithm = params.sse_customer_algorithm;
  if (params.sse_customer_key) fixed.SSECustomerKey = params.sse_customer_key;
  if (params.sse_customer_key_md5) fixed.SSECustomerKeyMD5 = params.sse_customer_key_md5;
  if (params.acl) fixed.ACL = params.acl as PutObjectCommandInput['ACL'];
  if (params.grant_full_control) fixed.GrantFullControl = params.grant_full_control;
  if (params.grant_read) fixed.GrantRead = params.grant_read;
  if (params.grant_read_acp) fixed.GrantReadACP = params.grant_read_acp;
  if (params.grant_write_acp) fixed.GrantWriteACP = params.grant_write_acp;
  if (params.checksum_algorithm) fixed.ChecksumAlgorithm = params.checksum_algorithm;
  if (params.tagging) fixed.Tagging = params.tagging;
  const metadata = params.s3_metadata ? Object.entries(params.s3_metadata).map(([k, v]) => [k, String(v)] as const) : undefined;
  return (key: string, index: number, chunk: Chunk): ObjectParams => {
    const out: ObjectParams = { ...fixed, Key: key };
    if (metadata) {
      // As the plugin: placeholders of the chunk, then %{index} (the key's index) and any other %{...} to "".
      const values = { '%{index}': formatIndex(params.index_format, index) };
      out.Metadata = Object.fromEntries(metadata.map(([k, v]) => [k, replaceAllPlaceholders(extract(v, chunk), values)]));
    }
    return out;
  };
}
