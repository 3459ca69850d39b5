/**
 * Cluster secret and the proofs derived from it (docs/SECURITY.md):
 *
 * - Registration proof (`minidfs-auth` metadata on DatanodeProtocol.Register): HMAC-SHA256 over the
 *   node id, uuid, address, a sender timestamp and a random nonce. The NameNode judges the timestamp
 *   against its own receive time (± REGISTRATION_PROOF_WINDOW_MS) and remembers nonces for twice
 *   that window, so a captured Register cannot be replayed while it would still be fresh.
 * - Session token (RegisterResponse.session_token, then `minidfs-session` metadata on Heartbeat
 *   and the report RPCs): HMAC over node id + registration id, issued by the NameNode. The
 *   DataNode checks it too, so a NameNode without the secret cannot command a DataNode.
 * - Block access token (LocatedBlock / ReplicateCommand / WriteBlockHeader / ReadBlockRequest
 *   `access_token`): HMAC over block id, generation stamp, mode (READ | WRITE), expiry and, for
 *   WRITE, the ids of the target nodes, like HDFS's BlockTokenIdentifier; DataNodes refuse
 *   transfers without a valid one, and a WRITE on a node the token does not name.
 * - Membership MAC (SwimEnvelope.mac on Membership.Deliver, DataNode to DataNode): HMAC-SHA256 of
 *   the encoded SWIM message; computed and checked by the DataNode's membership adapter.
 *
 * Each proof uses its own key, derived from the secret with HKDF-SHA256, so a token of one kind
 * never verifies as another. Everything here is pure apart from reading/writing the secret file;
 * times are inputs. Comparisons of MACs are constant-time.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DfsError, InvalidArgumentError, PermissionDeniedError, UnauthenticatedError } from './errors';
import { Limits } from './limits';

/** Metadata key carrying the registration proof on Register. */
export const AUTH_METADATA_KEY = 'minidfs-auth';
/** Metadata key carrying the session token on Heartbeat, BlockReport, BlockReceivedAndDeleted, ReportBadBlocks. */
export const SESSION_METADATA_KEY = 'minidfs-session';

/**
 * A registration proof is accepted when its sender timestamp is within this much of the
 * NameNode's receive time (either side). Clocks must agree to within this (NTP does); a node
 * further off is refused with the measured offset in the message.
 */
export const REGISTRATION_PROOF_WINDOW_MS = 5 * 60_000;
/** Lifetime of a block access token (HDFS dfs.block.access.token.lifetime: 10 min). */
export const BLOCK_TOKEN_LIFETIME_MS = 10 * 60_000;
/**
 * A DataNode accepts a block token this long after its expiry by the DataNode's own clock: the
 * NameNode stamped the expiry with its clock, so a DataNode clock that runs ahead by less than
 * this does not shorten tokens (HDFS has no such slack; clocks there must simply agree).
 */
export const BLOCK_TOKEN_CLOCK_SKEW_TOLERANCE_MS = 60_000;
/** Shortest cluster secret accepted, bytes (after trimming whitespace). */
export const MIN_SECRET_BYTES = 16;

export type BlockAccessMode = 'READ' | 'WRITE';

export interface ClusterKeys {
  register: Buffer;
  session: Buffer;
  blockToken: Buffer;
  /** HMAC key of SWIM gossip envelopes between DataNodes (SwimEnvelope.mac; docs/GOSSIP.md). */
  membership: Buffer;
}

/** Reads a secret file: its trimmed contents, at least MIN_SECRET_BYTES, at most Limits.maxSecretFileBytes. */
export function readSecretFile(file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read secret file ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile() || stat.size > Limits.maxSecretFileBytes) {
    throw new InvalidArgumentError(`secret file ${file} must be a regular file of at most ${Limits.maxSecretFileBytes} bytes`);
  }
  const secret = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.length < MIN_SECRET_BYTES) {
    throw new InvalidArgumentError(`secret file ${file} holds ${secret.length} bytes; at least ${MIN_SECRET_BYTES} are required (e.g. \`openssl rand -hex 32 > ${file}\`)`);
  }
  return secret;
}

/** Creates `file` with 32 random bytes (hex) and mode 0600 unless it exists; returns its path. */
export function ensureSecretFile(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return file;
}

export function deriveClusterKeys(secret: Buffer): ClusterKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'minidfs-v1', info, 32));
  return {
    register: derive('datanode-register'), session: derive('datanode-session'), blockToken: derive('block-token'), membership: derive('membership-swim'),
  };
}

function mac(key: Buffer, ...fields: Array<string | number>): Buffer {
  return createHmac('sha256', key).update(fields.join('\n')).digest();
}

function b64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

function unb64(value: string): string {
  return Buffer.from(value, 'base64url').toString('utf8');
}

function macMatches(expected: Buffer, given: string): boolean {
  const actual = Buffer.from(given, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function splitToken(
  token: string | undefined, parts: number, what: string, fail: (m: string) => DfsError, version = 'v1', maxLength: number = Limits.maxAuthTokenLength,
): string[] {
  if (!token) throw fail(`no ${what}`);
  if (token.length > maxLength) throw fail(`${what} longer than ${maxLength} characters`);
  const fields = token.split('.');
  if (fields.length !== parts || fields[0] !== version) throw fail(`malformed ${what}`);
  return fields;
}

// ---- registration proof ----

/** What a registration proof covers: who the node says it is and where it serves data. */
export interface RegistrationSubject {
  nodeId: string;
  uuid: string;
  host: string;
  dataPort: number;
}

export function signRegistration(key: Buffer, s: RegistrationSubject, nowMs: number, nonce = randomBytes(16).toString('base64url')): string {
  const ts = Math.floor(nowMs);
  return `v1.${ts}.${nonce}.${mac(key, 'register', s.nodeId, s.uuid, s.host, s.dataPort, ts, nonce).toString('base64url')}`;
}

export interface RegistrationVerifierOptions {
  windowMs?: number;
  maxNonces?: number;
}

/**
 * Checks registration proofs on the NameNode: MAC, timestamp within ±windowMs of the receive
 * time, nonce not seen. Nonces are kept for 2 × windowMs after receipt (a proof stays fresh at
 * most that long after it was first received); when maxNonces are held, new registrations are
 * refused as UNAVAILABLE (retryable) rather than forgetting a nonce early.
 */
export class RegistrationVerifier {
  private readonly nonces = new Map<string, number>();
  private readonly windowMs: number;
  private readonly maxNonces: number;

  constructor(private readonly key: Buffer, options: RegistrationVerifierOptions = {}) {
    this.windowMs = options.windowMs ?? REGISTRATION_PROOF_WINDOW_MS;
    this.maxNonces = options.maxNonces ?? Limits.maxAuthNoncesRemembered;
  }

  get noncesHeld(): number {
    return this.nonces.size;
  }

  /** Throws UnauthenticatedError (or UNAVAILABLE when the nonce cache is full); remembers the nonce on success. */
  verify(proof: string | undefined, s: RegistrationSubject, receivedAtMs: number): void {
    const fail = (m: string) => new UnauthenticatedError(`registration of ${JSON.stringify(s.nodeId)} refused: ${m}`);
    const [, tsText, nonce, given] = splitToken(proof, 4, 'registration proof (is the DataNode started with the cluster secret, --secret-file?)', fail);
    const ts = Number(tsText);
    if (!/^\d{1,16}$/.test(tsText) || !Number.isSafeInteger(ts) || !/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) throw fail('malformed registration proof');
    if (!macMatches(mac(this.key, 'register', s.nodeId, s.uuid, s.host, s.dataPort, ts, nonce), given)) {
      throw fail('bad registration proof: the DataNode\'s secret differs from the NameNode\'s, or the request was altered');
    }
    const offsetMs = ts - receivedAtMs;
    if (Math.abs(offsetMs) > this.windowMs) {
      throw fail(`timestamp is ${Math.round(offsetMs / 1000)} s off the NameNode's clock (window ±${this.windowMs / 1000} s): a replay, or clocks out of sync`);
    }
    this.prune(receivedAtMs);
    if (this.nonces.has(nonce)) throw fail('nonce already used (a replayed registration)');
    if (this.nonces.size >= this.maxNonces) {
      throw new DfsError('UNAVAILABLE', `too many registrations in the last ${(2 * this.windowMs) / 1000} s (${this.maxNonces}); retry later`);
    }
    this.nonces.set(nonce, receivedAtMs);
  }

  /** Drops nonces received more than 2 × window ago (Map order = receive order). */
  private prune(nowMs: number): void {
    for (const [nonce, receivedAtMs] of this.nonces) {
      if (receivedAtMs >= nowMs - 2 * this.windowMs) break;
      this.nonces.delete(nonce);
    }
  }
}

// ---- session token ----

export interface Session {
  nodeId: string;
  registrationId: string;
}

export function issueSessionToken(key: Buffer, s: Session): string {
  return `v1.${b64(s.nodeId)}.${b64(s.registrationId)}.${mac(key, 'session', s.nodeId, s.registrationId).toString('base64url')}`;
}

/** The session a token names; throws UnauthenticatedError if it is missing, malformed or not signed with this key. */
export function verifySessionToken(key: Buffer, token: string | undefined): Session {
  const fail = (m: string) => new UnauthenticatedError(`${m}: register first (with the cluster secret)`);
  const [, nodeText, regText, given] = splitToken(token, 4, 'session token', fail);
  const session = { nodeId: unb64(nodeText), registrationId: unb64(regText) };
  if (!macMatches(mac(key, 'session', session.nodeId, session.registrationId), given)) throw fail('invalid session token');
  return session;
}

// ---- block access token ----

/**
 * What a block access token grants (HDFS BlockTokenIdentifier: block, generation stamp, modes,
 * storage targets): `mode` on one generation of one block and, for WRITE, only on the named
 * target nodes: the pipeline the NameNode chose, or the targets of a REPLICATE command.
 */
export interface BlockTokenGrant {
  blockId: number;
  generationStamp: number;
  mode: BlockAccessMode;
  /** WRITE: node ids that may receive the block. READ: empty (any holder may serve it). */
  targets?: readonly string[];
}

/** What a DataNode asks of a token: this block at this generation, in this mode, written to (WRITE) or read from this node. */
export interface BlockTokenCheck {
  blockId: number;
  generationStamp: number;
  mode: BlockAccessMode;
  /** The checking node's id; for WRITE it must be one of the token's targets. */
  nodeId: string;
}

function targetsField(targets: readonly string[]): string {
  return targets.map(b64).join(',');
}

export function issueBlockToken(key: Buffer, grant: BlockTokenGrant, expiresAtMs: number): string {
  const expires = Math.floor(expiresAtMs);
  const targets = targetsField(grant.targets ?? []);
  const { blockId, generationStamp, mode } = grant;
  return `v2.${blockId}.${generationStamp}.${mode}.${expires}.${targets}.${mac(key, 'block', blockId, generationStamp, mode, expires, targets).toString('base64url')}`;
}

/**
 * Throws PermissionDeniedError unless `token` grants `want.mode` on `want.blockId` at generation
 * `want.generationStamp`, names `want.nodeId` as a target when the mode is WRITE, and has not
 * expired by `nowMs` (with `skewToleranceMs` of slack for a DataNode clock ahead of the NameNode's).
 */
export function verifyBlockToken(
  key: Buffer, token: string | undefined, want: BlockTokenCheck, nowMs: number,
  skewToleranceMs = BLOCK_TOKEN_CLOCK_SKEW_TOLERANCE_MS,
): void {
  const { blockId, generationStamp, mode, nodeId } = want;
  const fail = (m: string) => new PermissionDeniedError(`${mode} of block ${blockId} refused: ${m}`);
  const [, idText, genText, tokenMode, expiresText, targets, given] = splitToken(token, 7, 'block access token', fail, 'v2', Limits.maxBlockTokenLength);
  const expiresAtMs = Number(expiresText);
  if (![idText, genText, expiresText].every((f) => /^\d{1,16}$/.test(f)) || !/^[A-Za-z0-9_,-]*$/.test(targets)) throw fail('malformed block access token');
  if (!macMatches(mac(key, 'block', idText, genText, tokenMode, expiresText, targets), given)) throw fail('invalid block access token signature');
  if (Number(idText) !== blockId) throw fail(`the token is for block ${idText}`);
  if (tokenMode !== mode) throw fail(`the token grants ${tokenMode}`);
  if (Number(genText) !== generationStamp) throw fail(`the token is for generation stamp ${genText}, not ${generationStamp}`);
  if (mode === 'WRITE' && !(targets === '' ? [] : targets.split(',').map(unb64)).includes(nodeId)) {
    throw fail(`the token does not name ${JSON.stringify(nodeId)} as a target of this block`);
  }
  if (nowMs > expiresAtMs + skewToleranceMs) throw fail(`the token expired ${Math.round((nowMs - expiresAtMs) / 1000)} s ago`);
}

/** Issues block tokens on the NameNode with a fixed lifetime; `nowMs` defaults to the wall clock. */
export class BlockTokenIssuer {
  constructor(private readonly key: Buffer, private readonly lifetimeMs = BLOCK_TOKEN_LIFETIME_MS, private readonly now: () => number = Date.now) {}

  issue(grant: BlockTokenGrant): string {
    return issueBlockToken(this.key, grant, this.now() + this.lifetimeMs);
  }
}
