/**
 * Shared CLI option helpers: every flag is also read from MINIDFS_<FLAG> (for compose), and
 * flags win over the environment (commander's precedence: flag > env > default).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type TlsMaterial, loadTls } from '@minidfs/common';
import { NAMENODE_FLAGS, type NameNodeSetting, checkSettingRange, defaultNameNodeOptions } from '@minidfs/namenode';

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

/**
 * `--flag <VALUE>` for a NameNode setting: the flag name from NAMENODE_FLAGS, parsed with the
 * bounds of NAMENODE_SETTING_RANGES (the NameNode's validator says what is wrong), env fallback,
 * and the default (from defaultNameNodeOptions()) shown in --help.
 */
export function settingOpt(setting: NameNodeSetting, value: string, description: string, defaultValue?: string | number): Option {
  return opt(`${NAMENODE_FLAGS[setting]} <${value}>`, description, defaultValue, settingArg(setting));
}

/** Parser for a NameNode setting's value: a number within NAMENODE_SETTING_RANGES. */
export function settingArg(setting: NameNodeSetting): (v: string) => number {
  return (v: string) => {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    try {
      checkSettingRange(setting, n);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    return n;
  };
}

/** `--namenode HOST:PORT` (env MINIDFS_NAMENODE): the NameNode RPC address, default localhost at the NameNode's default RPC port. */
export function namenodeAddressOption(): Option {
  return opt('--namenode <HOST:PORT>', 'NameNode RPC address', `localhost:${defaultNameNodeOptions().rpcPort}`);
}

/**
 * `--namenode HOST:PORT[,HOST:PORT...]` (env MINIDFS_NAMENODE) for client commands: one NameNode,
 * or every NameNode of an HA group, comma-separated; calls go to the active one and fail over
 * (client parseNameNodeAddresses checks the value). Default as namenodeAddressOption.
 */
export function namenodesOption(): Option {
  return opt('--namenode <HOST:PORT[,HOST:PORT...]>',
    'NameNode RPC address; for an HA group every NameNode, comma-separated (calls go to the active one, failing over on NOT_ACTIVE or no answer)',
    `localhost:${defaultNameNodeOptions().rpcPort}`);
}

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
