/**
 * Shared CLI option helpers: every flag is also read from MINIDFS_<FLAG> (for compose), and
 * flags win over the environment (commander's precedence: flag > env > default).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type TlsMaterial, loadTls } from '@minidfs/common';

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

/** TLS flags every command that serves or calls gRPC takes (docs/SECURITY.md). */
export interface TlsFlags { tlsCert?: string; tlsKey?: string; tlsCa?: string }

/** Adds --tls-cert, --tls-key, --tls-ca (env MINIDFS_TLS_*) to a command. */
export function addTlsOptions(command: Command): Command {
  return command
    .addOption(opt('--tls-cert <FILE>', 'TLS: PEM certificate of this process (served on its ports, presented to peers); with --tls-key'))
    .addOption(opt('--tls-key <FILE>', 'TLS: PEM private key of --tls-cert'))
    .addOption(opt('--tls-ca <FILE>', 'TLS: PEM CA that peers\' certificates must chain to; servers then require client certificates (mutual TLS)'));
}

/** The TLS material the flags name; undefined (plaintext) without any. */
export function tlsFrom(o: TlsFlags): TlsMaterial | undefined {
  return loadTls({ certFile: o.tlsCert, keyFile: o.tlsKey, caFile: o.tlsCa });
}

/** `--secret-file FILE` (env MINIDFS_SECRET_FILE): the cluster secret shared by the NameNode and every DataNode. */
export function secretFileOption(): Option {
  return opt('--secret-file <FILE>', 'file holding the cluster secret (docs/SECURITY.md); without it the cluster runs open: no DataNode authentication, no block tokens');
}
