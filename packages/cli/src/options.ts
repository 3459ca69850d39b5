/**
 * Shared CLI option helpers: every flag is also read from MINIDFS_<FLAG> (for compose), and
 * flags win over the environment (commander's precedence: flag > env > default).
 */
import { InvalidArgumentError, Option } from 'commander';

export function envName(flag: string): string {
  return `MINIDFS_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

/** `--flag <VALUE>` with env fallback and optional default. */
export function opt(flags: string, description: string, defaultValue?: string | number, parse?: (v: string) => unknown): Option {
  const long = flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!;
  const o = new Option(flags, description).env(envName(long));
  if (parse) o.argParser(parse);
  if (defaultValue !== undefined) o.default(defaultValue);
  return o;
}

export function intArg(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${v}`);
    return n;
  };
}

export const port = intArg(0, 65535);

/** `--secret-file FILE` (env MINIDFS_SECRET_FILE): the cluster secret shared by the NameNode and every DataNode. */
export function secretFileOption(): Option {
  return opt('--secret-file <FILE>', 'file holding the cluster secret (docs/SECURITY.md); without it the cluster runs open: no DataNode authentication, no block tokens');
}
