import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface ClientOptions {
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  useAccelerateEndpoint: boolean;
  useDualstackEndpoint: boolean;
}

/** An endpoint on an IP address or localhost cannot take bucket-in-host addressing. */
function needsPathStyle(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
  } catch {
    return false;
  }
}

/**
 * The S3 client: explicit keys or the SDK's default chain (env, profile, SSO, web identity, ECS, IMDSv2, refreshed
 * automatically); the SDK's standard environment (AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL) honoured;
 * checksums only when required, which S3-compatible servers handle (no aws-chunked bodies).
 */
export function createS3Client(o: ClientOptions): S3Client {
  const endpoint = o.endpoint || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
  const config: S3ClientConfig = {
    region: o.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
    forcePathStyle: o.forcePathStyle || needsPathStyle(endpoint),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    useAccelerateEndpoint: o.useAccelerateEndpoint,
    useDualstackEndpoint: o.useDualstackEndpoint,
    maxAttempts: 1, // the buffer owns retries, with Fluentd's schedule
  };
  if (endpoint) config.endpoint = endpoint;
  if (o.accessKeyId && o.secretAccessKey) config.credentials = { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey };
  return new S3Client(config);
}

/** A short description of an S3 failure for the log, and whether retrying can ever fix it. */
export function describeS3Error(err: unknown): { message: string; permanent: boolean; status?: number; code?: string } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = e.$metadata?.httpStatusCode;
  const code = e.name ?? e.code ?? 'Error';
  const permanent = ['NoSuchBucket', 'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidBucketName', 'AllAccessDisabled'].includes(code)
    || (status !== undefined && status >= 400 && status < 500 && ![408, 429].includes(status));
  return { message: `${code}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`, permanent, status, code };
}
