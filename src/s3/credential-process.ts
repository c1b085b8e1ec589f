import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

const run = promisify(execFile);

/** Ruby's Shellwords.split: words separated by blanks, with '...' literal, "..." and backslash escapes. */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === '\\' && i + 1 < line.length) {
      const next = line[++i]!;
      // Inside double quotes a backslash escapes only the characters the shell treats specially there.
      word = (word ?? '') + (quote === '"' && !'"\\$`\n'.includes(next) ? `\\${next}` : next);
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`unmatched ${quote} in: ${line}`);
  if (word !== null) words.push(word);
  return words;
}

/**
 * aws_credential_process: runs the command (without a shell, as Ruby's ProcessCredentials does) and reads the
 * credential_process JSON it prints ({Version: 1, AccessKeyId, SecretAccessKey, SessionToken?, Expiration?}).
 * The S3 client calls it again when the credentials are about to expire.
 */
export function credentialProcess(command: string): AwsCredentialIdentityProvider {
  const [file, ...args] = shellSplit(command);
  if (!file) throw new Error('aws_credential_process is empty');
  return async (): Promise<AwsCredentialIdentity> => {
    const { stdout } = await run(file, args, { timeout: 60_000, maxBuffer: 1024 * 1024 });
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(stdout) as Record<string, unknown>;
    } catch {
      throw new Error(`aws_credential_process '${command}' printed no JSON`);
    }
    if (doc.Version !== 1 || typeof doc.AccessKeyId !== 'string' || typeof doc.SecretAccessKey !== 'string') {
      throw new Error(`aws_credential_process '${command}' printed no Version 1 credentials (AccessKeyId, SecretAccessKey)`);
    }
    return {
      accessKeyId: doc.AccessKeyId,
      secretAccessKey: doc.SecretAccessKey,
      ...(typeof doc.SessionToken === 'string' && { sessionToken: doc.SessionToken }),
      ...(typeof doc.Expiration === 'string' && { expiration: new Date(doc.Expiration) }),
    };
  };
}
