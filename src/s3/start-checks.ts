import { CreateBucketCommand, HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { describeS3Failure, isNotFound } from './errors.ts';

export interface StartChecks {
  bucket: string;
  path: string;
  checkApikey: boolean;
  checkBucket: boolean;
  autoCreateBucket: boolean;
}

/**
 * out_s3's start: check_apikey_on_start lists one object under path (a missing bucket is left to the bucket check),
 * then check_bucket makes sure the bucket exists, creating it with auto_create_bucket. Throws one clear message.
 */
export async function runStartChecks(client: S3Client, o: StartChecks, info: (message: string) => void): Promise<void> {
  if (o.checkApikey) {
    try {
      await client.send(new ListObjectsV2Command({ Bucket: o.bucket, Prefix: o.path, MaxKeys: 1 }));
    } catch (err) {
      const failure = describeS3Failure(err, o.bucket);
      // Fluentd blames the credentials for any failure here; logferry leads with what happened, and names the
      // credentials only when the server refused them.
      if (failure.credentials) {
        throw new Error(`can't call S3 API: ${failure.message} (or s3_region)`, { cause: err });
      }
      if (failure.code !== 'NoSuchBucket') throw new Error(`check_apikey_on_start: listing s3://${o.bucket}/${o.path} failed: ${failure.message}`, { cause: err });
    }
  }
  if (!o.checkBucket) return;
  try {
    await client.send(new HeadBucketCommand({ Bucket: o.bucket }));
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`checking bucket ${o.bucket}: ${describeS3Failure(err, o.bucket).message}`, { cause: err });
    if (!o.autoCreateBucket) throw new Error(`The specified bucket does not exist: bucket = ${o.bucket}`);
    info(`Creating bucket ${o.bucket}`);
    await client.send(new CreateBucketCommand({ Bucket: o.bucket }));
  }
}
