/**
 * Client-side path checks, so an obviously bad path fails before any RPC. The NameNode remains the
 * authority (it normalizes and re-validates); the rules here are a subset of its own: absolute,
 * no '.' or '..' components, no control characters, within Limits.maxPathLength.
 */
import { InvalidPathError, Limits } from '@minidfs/common';

const controlCharacter = /\p{Cc}/u;

export function checkPath(path: unknown): string {
  if (typeof path !== 'string') throw new InvalidPathError('path must be a string');
  if (path.length === 0) throw new InvalidPathError('path is empty');
  if (path.length > Limits.maxPathLength) throw new InvalidPathError(`path longer than ${Limits.maxPathLength} characters`);
  if (path[0] !== '/') throw new InvalidPathError(`path is not absolute: ${JSON.stringify(path)}`);
  if (controlCharacter.test(path)) throw new InvalidPathError(`path contains a control character: ${JSON.stringify(path)}`);
  for (const c of path.split('/')) {
    if (c === '.' || c === '..') throw new InvalidPathError(`path contains a '${c}' component: ${JSON.stringify(path)}`);
  }
  return path;
}

/** Parent of an absolute path ('/' for top-level entries and for '/'). Trailing slashes ignored. */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? '/' : trimmed.slice(0, i);
}

/** Last component of an absolute path ('' for '/'). */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** `dir` + '/' + `name` without doubling the slash. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}
