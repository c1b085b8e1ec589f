import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UnrecoverableError, type Chunk } from '../plugin-api/index.ts';
import { describeS3Failure, isNotFound } from './errors.ts';
import type { KeyCandidates, KeyFormat } from './key-format.ts';

export const KEY_MEMO = 's3_key';
const INDEX_MEMO = 's3_index';
// Prefixes remembered for index probing; the oldest are forgotten beyond this (they then probe from 0 again).
const MAX_REMEMBERED_PREFIXES = 4096;

export interface ChosenKey {
  key: string;
  /** The %{index} value of the key, as s3_metadata's %{index} sees it (-1 with check_object false, as in Ruby). */
  index: number;
}

export interface KeyChooserOptions {
  format: KeyFormat;
  checkObject: boolean;
  overwrite: boolean;
  /** Keep the index with the chunk too (s3_metadata uses %{index}). */
  rememberIndex: boolean;
  exists(key: string): Promise<boolean>;
  warn(message: string, key: string): void;
}

/**
 * Picks the object key of a chunk as out_s3's write does (HEAD probing of %{index} with check_object), with two
 * differences: a chunk keeps the key it was first given, so a retry overwrites its own object instead of making a
 * second one (s3#98/#99); and probing starts after the last index this process used for the same prefix (s3#160).
 */
export class KeyChooser {
  private readonly nextIndex = new Map<string, number>();

  constructor(private readonly o: KeyChooserOptions) {}

  async choose(chunk: Chunk): Promise<ChosenKey> {
    const remembered = chunk.getMemo(KEY_MEMO);
    if (remembered !== undefined) return { key: remembered, index: Number(chunk.getMemo(INDEX_MEMO) ?? 0) };
    const candidates = this.o.format.candidates(chunk);
    const chosen = this.o.checkObject ? await this.probe(candidates) : { key: candidates.key(0), index: -1 };
    await chunk.setMemo(KEY_MEMO, chosen.key);
    if (this.o.rememberIndex) await chunk.setMemo(INDEX_MEMO, String(chosen.index));
    return chosen;
  }

  private async probe(candidates: KeyCandidates): Promise<ChosenKey> {
    const start = this.o.format.usesIndex ? (this.nextIndex.get(candidates.prefix) ?? 0) : 0;
    let index = start;
    let key = candidates.key(index);
    while (await this.o.exists(key)) {
      const next = candidates.key(index + 1);
      if (next === key) {
        if (!this.o.overwrite) throw new UnrecoverableError(`duplicated path is generated. use %{index} in s3_object_key_format: path = ${key}`);
        this.o.warn(`${key} already exists, but will overwrite`, key);
        break;
      }
      index += 1;
      key = next;
    }
    if (this.o.format.usesIndex) this.remember(candidates.prefix, index + 1);
    return { key, index };
  }

  private remember(prefix: string, next: number): void {
    this.nextIndex.delete(prefix);
    this.nextIndex.set(prefix, next);
    if (this.nextIndex.size > MAX_REMEMBERED_PREFIXES) this.nextIndex.delete(this.nextIndex.keys().next().value!);
  }
}

/**
 * HEAD of a key: true when it exists. A 403 gets its own explanation, since it is what a policy without
 * s3:GetObject answers to every probe (s3#92).
 */
export async function objectExists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    const failure = describeS3Failure(err, bucket);
    if (failure.status === 403) {
      throw new Error(`HEAD s3://${bucket}/${key} was refused (403): check_object needs the s3:GetObject permission on the objects to probe %{index}; grant s3:GetObject, or set check_object false (then put \${chunk_id} or %{hex_random} in s3_object_key_format). Wrong credentials are answered 403 as well.`, { cause: err });
    }
    throw new Error(`HEAD s3://${bucket}/${key}: ${failure.message}`, { cause: err });
  }
}
