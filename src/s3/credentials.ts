import { fromIni } from '@aws-sdk/credential-provider-ini';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { fromContainerMetadata, fromInstanceMetadata, ENV_CMDS_RELATIVE_URI } from '@smithy/credential-provider-imds';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { z } from '../plugin-api/index.ts';
import { credentialProcess } from './credential-process.ts';
import type { assumeRoleParams, instanceProfileParams, S3Params, sharedCredentialsParams, webIdentityParams } from './params.ts';

export interface CredentialSections {
  assumeRole?: z.output<typeof assumeRoleParams>;
  webIdentity?: z.output<typeof webIdentityParams>;
  instanceProfile?: z.output<typeof instanceProfileParams>;
  shared?: z.output<typeof sharedCredentialsParams>;
}

export interface ChosenCredentials {
  /** undefined: the SDK's default chain (env, shared profile, SSO, web identity, ECS, IMDSv2). */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  source: string;
}

/**
 * The credential source fluent-plugin-s3's setup_credentials picks, in its order of precedence. Every provider
 * returns an expiration where its source has one; the S3 client refreshes such credentials 5 minutes before expiry.
 */
export function chooseCredentials(params: S3Params, sections: CredentialSections, region: string, warn: (message: string) => void): ChosenCredentials {
  const keys = params.aws_key_id && params.aws_sec_key ? { accessKeyId: params.aws_key_id, secretAccessKey: params.aws_sec_key } : undefined;
  if (sections.assumeRole) return { credentials: assumeRole(sections.assumeRole, region, keys), source: 'assume_role_credentials' };
  if (keys) return { credentials: keys, source: 'aws_key_id/aws_sec_key' };
  if (params.aws_profile) return { credentials: fromIni({ profile: params.aws_profile }), source: `aws_profile ${params.aws_profile}` };
  if (params.aws_credential_process) return { credentials: credentialProcess(params.aws_credential_process), source: 'aws_credential_process' };
  if (sections.webIdentity) {
    const c = sections.webIdentity;
    const credentials = fromTokenFile({
      webIdentityTokenFile: c.web_identity_token_file, roleArn: c.role_arn, roleSessionName: c.role_session_name,
      ...(c.policy !== undefined && { policy: c.policy }),
      ...(c.duration_seconds !== undefined && { durationSeconds: c.duration_seconds }),
      clientConfig: { region: c.sts_region ?? region, ...(c.sts_endpoint_url && { endpoint: c.sts_endpoint_url }) },
    });
    return { credentials, source: 'web_identity_credentials' };
  }
  if (sections.instanceProfile) return { credentials: instanceProfile(sections.instanceProfile), source: 'instance_profile_credentials' };
  if (sections.shared) {
    const { path, profile_name } = sections.shared;
    return { credentials: fromIni({ ...(path && { filepath: path }), ...(profile_name && { profile: profile_name }) }), source: 'shared_credentials' };
  }
  if (params.aws_iam_retries !== undefined) {
    warn("'aws_iam_retries' parameter is deprecated. Use 'instance_profile_credentials' instead");
    return { credentials: instanceProfile({ retries: params.aws_iam_retries }), source: 'aws_iam_retries' };
  }
  return { credentials: undefined, source: 'the AWS SDK default chain' };
}

/** sts:AssumeRole, signed with the IAM user's keys when given, else with the default chain. */
function assumeRole(c: z.output<typeof assumeRoleParams>, region: string, keys: AwsCredentialIdentity | undefined): AwsCredentialIdentityProvider {
  const sts = new STSClient({ region: c.sts_region ?? region, ...(c.sts_endpoint_url && { endpoint: c.sts_endpoint_url }), ...(keys && { credentials: keys }) });
  return async () => {
    const { Credentials: out } = await sts.send(new AssumeRoleCommand({
      RoleArn: c.role_arn, RoleSessionName: c.role_session_name, Policy: c.policy, DurationSeconds: c.duration_seconds, ExternalId: c.external_id,
    }));
    if (!out?.AccessKeyId || !out.SecretAccessKey) throw new Error(`sts:AssumeRole of ${c.role_arn} returned no credentials`);
    return { accessKeyId: out.AccessKeyId, secretAccessKey: out.SecretAccessKey, sessionToken: out.SessionToken, expiration: out.Expiration };
  };
}

/** IMDSv2 (with the v1 fallback), or the ECS task role when the container credentials variable is set, as Ruby does. */
function instanceProfile(c: Pick<z.output<typeof instanceProfileParams>, 'retries' | 'http_open_timeout' | 'http_read_timeout'>): AwsCredentialIdentityProvider {
  const init = {
    ...(c.retries !== undefined && { maxRetries: c.retries }),
    // The SDK has one timeout per request where Ruby has an open and a read timeout (1 s each by default).
    ...((c.http_open_timeout !== undefined || c.http_read_timeout !== undefined) && { timeout: ((c.http_open_timeout ?? 1) + (c.http_read_timeout ?? 1)) * 1000 }),
  };
  return process.env[ENV_CMDS_RELATIVE_URI] ? fromContainerMetadata(init) : fromInstanceMetadata(init);
}
