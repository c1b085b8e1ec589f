/** What went wrong with an S3 request, in words an operator can act on, and whether a retry can ever help. */
export interface S3Failure {
  status: number | undefined;
  code: string;
  /** The server refused the credentials themselves (not a permission, not the network). */
  credentials: boolean;
  /** One line: the cause and, where there is one, the fix. */
  message: string;
  retryable: boolean;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const CREDENTIAL_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'TokenRefreshRequired', 'InvalidToken', 'RequestTimeTooSkewed', 'CredentialsProviderError']);
// 4xx answers that a later attempt can get past: the bucket may be created, credentials rotated, a permission granted.
const RETRYABLE_4XX = new Set([403, 404, 408, 409, 429]);

/** Sorts an SDK or network error into the classes the output logs and retries differently. */
export function describeS3Failure(err: unknown, bucket: string): S3Failure {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  const status = e.$metadata?.httpStatusCode;
  const code = networkCode(err) ?? e.name ?? 'Error';
  const detail = e.message && e.message !== code && e.message !== 'UnknownError' ? `: ${e.message}` : '';
  const http = status ? ` (HTTP ${status})` : '';
  if (code === 'TimeoutError' || code === 'RequestTimeout') {
    return { status, code, credentials: false, message: `S3 request timed out (${code})${http}${detail}; will retry`, retryable: true };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { status, code, credentials: false, message: `S3 endpoint unreachable (${code})${detail}: check s3_endpoint / s3_region and the network; will retry`, retryable: true };
  }
  if (networkCode(err)) {
    return { status, code, credentials: false, message: `network error talking to S3 (${code})${detail}; will retry`, retryable: true };
  }
  if (code === 'NoSuchBucket') {
    return { status, code, credentials: false, message: `bucket ${bucket} does not exist${http}: create it or enable check_bucket/auto_create_bucket`, retryable: true };
  }
  if (CREDENTIAL_CODES.has(code)) {
    return { status, code, credentials: true, message: `credentials rejected (${code})${http}${detail}: check aws_key_id/aws_sec_key or the credential source`, retryable: true };
  }
  if (code === 'AccessDenied' || status === 403) {
    return { status, code, credentials: false, message: `access denied${http}${detail}: the credentials lack an s3 permission for bucket ${bucket} (s3:PutObject for uploads)`, retryable: true };
  }
  if (code === 'SlowDown' || status === 503) {
    return { status, code, credentials: false, message: `S3 is throttling (${code}${http}); will retry with backoff`, retryable: true };
  }
  if (status !== undefined && status >= 500) {
    return { status, code, credentials: false, message: `S3 server error ${code}${http}${detail}; will retry`, retryable: true };
  }
  if (status !== undefined && status >= 400 && !RETRYABLE_4XX.has(status)) {
    return { status, code, credentials: false, message: `S3 refused the request: ${code}${http}${detail}; retrying cannot fix this`, retryable: false };
  }
  return { status, code, credentials: false, message: `${code}${http}${detail}`, retryable: true };
}

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 404 || e.name === 'NotFound' || e.name === 'NoSuchKey';
}

function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  }
  return undefined;
}
