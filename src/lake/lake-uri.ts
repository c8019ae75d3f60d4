import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../util/errors.js';

/** Where the lake lives, parsed from `--lake`: `s3://bucket[/prefix]`, `file:///abs/dir` or a plain directory. */
export type LakeLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; root: string };

/** Parses a `--lake` value; a bad one is a usage error naming the flag. */
export function parseLakeUri(value: string, flag = '--lake'): LakeLocation {
  const v = value.trim();
  if (v === '')
    throw new UsageError(`${flag}: empty; give s3://bucket[/prefix], file:///abs/dir or a directory`);
  if (v.startsWith('s3://')) {
    const rest = v.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(`${flag}: "${bucket}" in "${value}" is not a valid S3 bucket name`);
    }
    if (prefix.split('/').some((s) => s === '..')) throw new UsageError(`${flag}: ".." in "${value}"`);
    return { kind: 's3', bucket, prefix };
  }
  if (v.startsWith('file://')) {
    try {
      return { kind: 'file', root: fileURLToPath(v) };
    } catch {
      throw new UsageError(`${flag}: "${value}" is not an absolute file:// URI; write file:///abs/dir`);
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    throw new UsageError(`${flag}: scheme of "${value}" is not supported; use s3://, file:// or a directory`);
  }
  return { kind: 'file', root: path.resolve(v) };
}
