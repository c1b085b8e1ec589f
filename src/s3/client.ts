import { isIP } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ChosenCredentials } from './credentials.ts';

export interface ClientOptions {
  region: string;
  /** s3_endpoint; else AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  credentials: ChosenCredentials['credentials'];
  useAccelerateEndpoint: boolean;
  useDualstackEndpoint: boolean;
  /** compute_checksums true: a checksum on every request; otherwise only where S3 requires one. */
  computeChecksums: boolean | undefined;
}

/** s3_region's default, as fluent-plugin-s3 has it. */
export function defaultRegion(): string {
  return process.env.AWS_REGION || 'us-east-1';
}

export function resolveEndpoint(configured: string | undefined): string | undefined {
  return configured || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

/** An endpoint on an IP address or localhost cannot take the bucket in its host name. */
export function needsPathStyle(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}

/**
 * The S3 client. Checksums only where S3 requires them by default: the SDK's default (WHEN_SUPPORTED) sends a
 * streamed body as aws-chunked with a trailer, which S3-compatible servers such as s3rver store corrupted. The SDK
 * retries nothing (maxAttempts 1): the buffer owns retries, on Fluentd's schedule, with the chunk's key kept.
 */
export function createS3Client(o: ClientOptions): S3Client {
  const endpoint = resolveEndpoint(o.endpoint);
  const checksums = o.computeChecksums ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
  const config: S3ClientConfig = {
    region: o.region,
    forcePathStyle: o.forcePathStyle || needsPathStyle(endpoint),
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    useAccelerateEndpoint: o.useAccelerateEndpoint,
    useDualstackEndpoint: o.useDualstackEndpoint,
    maxAttempts: 1,
  };
  if (endpoint) config.endpoint = endpoint;
  if (o.credentials) config.credentials = o.credentials;
  return new S3Client(config);
}
