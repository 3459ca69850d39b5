/**
 * NamenodeFence: which NameNode's commands a DataNode acts on when it serves several NameNodes (an
 * HA pair, docs/HA.md). Every reply of a NameNode (RegisterResponse, HeartbeatResponse,
 * BlockReportResponse) carries the NameNode's HA role and leadership epoch; the DataNode asks this
 * class once per reply and executes the reply's commands only when it says yes. Pure: no timers,
 * no I/O, no logging (the DataNode logs and counts what it drops).
 *
 * The rule (HDFS BPOfferService's "only the active with the newest txid/epoch commands us"):
 * - ACTIVE with epoch >= highestEpochSeen: accepted; highestEpochSeen becomes epoch.
 * - HA_ROLE_UNSPECIFIED (a NameNode without HA, epoch 0): accepted when it is the only NameNode
 *   configured (exactly as before HA), refused when several are (nobody can tell which one rules).
 * - STANDBY, an ACTIVE with epoch < highestEpochSeen (deposed), an unknown role or a malformed
 *   epoch: refused.
 * Invariants: highestEpochSeen never decreases; it starts at 0 and lives in memory only (after a
 * restart the first ACTIVE reply sets it again; a deposed active's epoch is lower than the new
 * active's, so it loses as soon as the new active has answered once).
 */

/** The HA roles on the wire (proto-loader decodes the HaRole enum as these strings). */
export type NamenodeRole = 'ACTIVE' | 'STANDBY' | 'HA_ROLE_UNSPECIFIED';

/** Why a reply was accepted or refused (the log field `verdict`). */
export type FenceVerdict =
  | 'active'
  | 'sole-namenode'
  | 'standby'
  | 'stale-epoch'
  | 'unspecified-among-several'
  | 'invalid-role'
  | 'invalid-epoch';

export interface FenceDecision {
  accepted: boolean;
  verdict: FenceVerdict;
  /** The role and epoch of the reply, normalised (role 'invalid' when it was none of the three). */
  role: NamenodeRole | 'invalid';
  epoch: number;
  /** highestEpochSeen after this reply. */
  highestEpochSeen: number;
  /** This NameNode's role or epoch differs from its previous reply (or this is its first): worth a log line. */
  changed: boolean;
}

/** What the fence last heard from one NameNode. */
export interface NamenodeSeen {
  role: NamenodeRole | 'invalid';
  epoch: number;
  /** Whether that reply's commands were accepted. */
  accepted: boolean;
}

/** Numeric HaRole values, in case a decoder hands out numbers instead of names. */
const ROLE_BY_NUMBER: Record<number, NamenodeRole> = { 0: 'HA_ROLE_UNSPECIFIED', 1: 'ACTIVE', 2: 'STANDBY' };

export class NamenodeFence {
  private highest = 0;
  private readonly seen = new Map<string, NamenodeSeen>();
  private acceptedFrom: string | undefined;

  /** namenodeCount: how many NameNode addresses this DataNode is configured with (>= 1). */
  constructor(private readonly namenodeCount: number) {
    if (!Number.isInteger(namenodeCount) || namenodeCount < 1) throw new RangeError(`namenodeCount must be an integer >= 1, got ${namenodeCount}`);
  }

  /** The highest ACTIVE epoch accepted so far (0 before any). */
  get highestEpochSeen(): number {
    return this.highest;
  }

  /** The NameNode whose reply was accepted last (the one this DataNode currently obeys), if any. */
  get commandingNamenode(): string | undefined {
    return this.acceptedFrom;
  }

  /** True when the reply's commands are to be executed (see decide). */
  accept(address: string, role: unknown, epoch: unknown): boolean {
    return this.decide(address, role, epoch).accepted;
  }

  /** Judges one reply of the NameNode at `address` and remembers what it said. */
  decide(address: string, role: unknown, epoch: unknown): FenceDecision {
    const r = normaliseRole(role);
    const e = normaliseEpoch(epoch);
    let verdict: FenceVerdict;
    if (r === 'invalid') verdict = 'invalid-role';
    else if (e === undefined) verdict = 'invalid-epoch';
    else if (r === 'STANDBY') verdict = 'standby';
    else if (r === 'HA_ROLE_UNSPECIFIED') verdict = this.namenodeCount === 1 ? 'sole-namenode' : 'unspecified-among-several';
    else verdict = e >= this.highest ? 'active' : 'stale-epoch';
    const accepted = verdict === 'active' || verdict === 'sole-namenode';
    if (verdict === 'active') this.highest = e!;
    if (accepted) this.acceptedFrom = address;
    const epochSeen = e ?? -1;
    const before = this.seen.get(address);
    const changed = before === undefined || before.role !== r || before.epoch !== epochSeen || before.accepted !== accepted;
    this.seen.set(address, { role: r, epoch: epochSeen, accepted });
    return { accepted, verdict, role: r, epoch: epochSeen, highestEpochSeen: this.highest, changed };
  }

  /** What the NameNode at `address` said last; undefined before its first reply. */
  lastSeen(address: string): NamenodeSeen | undefined {
    const s = this.seen.get(address);
    return s && { ...s };
  }
}

function normaliseRole(role: unknown): NamenodeRole | 'invalid' {
  // An absent field decodes as the enum's zero value; a NameNode built before HA sends none.
  if (role === undefined || role === null) return 'HA_ROLE_UNSPECIFIED';
  if (role === 'ACTIVE' || role === 'STANDBY' || role === 'HA_ROLE_UNSPECIFIED') return role;
  if (typeof role === 'number') return ROLE_BY_NUMBER[role] ?? 'invalid';
  return 'invalid';
}

/** A non-negative safe integer (uint64 decoded as Number, or as a decimal string); undefined if malformed. */
function normaliseEpoch(epoch: unknown): number | undefined {
  if (epoch === undefined || epoch === null) return 0;
  const n = typeof epoch === 'string' && /^\d+$/.test(epoch) ? Number(epoch) : epoch;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
