/**
 * The edge check every NameNode RPC request passes before anything is decoded into the core or
 * stored: every string field has a named length limit, every repeated field a named count limit,
 * and every number is a non-negative integer a JavaScript number holds exactly (a uint64 beyond
 * 2^53 - 1 is a wrapped negative number or garbage). A request that breaks one is refused with
 * INVALID_ARGUMENT naming the field and the limit; nothing is changed.
 *
 * Fields are named as proto-loader decodes them (camelCase). test/unit/request-limits.test.ts
 * checks that every string and repeated field of every ClientProtocol and DatanodeProtocol request
 * has its entry here; a field without one gets the conservative default below.
 */
import { InvalidArgumentError, Limits } from '@minidfs/common';

/** Longest string per field name (characters). */
export const STRING_FIELD_LIMITS: Readonly<Record<string, { max: number; limit: string }>> = {
  path: { max: Limits.maxPathLength, limit: 'maxPathLength' },
  startAfter: { max: Limits.maxPathComponentLength, limit: 'maxPathComponentLength' },
  clientName: { max: Limits.maxClientNameLength, limit: 'maxClientNameLength' },
  reason: { max: Limits.maxReportReasonLength, limit: 'maxReportReasonLength' },
  nodeId: { max: Limits.maxNodeIdLength, limit: 'maxNodeIdLength' },
  id: { max: Limits.maxNodeIdLength, limit: 'maxNodeIdLength' },
  excludeNodeIds: { max: Limits.maxNodeIdLength, limit: 'maxNodeIdLength' },
  registrationId: { max: Limits.maxAuthTokenLength, limit: 'maxAuthTokenLength' },
  uuid: { max: Limits.maxDatanodeUuidLength, limit: 'maxDatanodeUuidLength' },
  host: { max: Limits.maxHostLength, limit: 'maxHostLength' },
  rack: { max: Limits.maxRackLength, limit: 'maxRackLength' },
  softwareVersion: { max: Limits.maxSoftwareVersionLength, limit: 'maxSoftwareVersionLength' },
  membershipAddress: { max: Limits.maxAddressLength, limit: 'maxAddressLength' },
  filesystemId: { max: Limits.maxHostLength + 24, limit: 'maxHostLength (+ 24 for the device number)' },
  memberState: { max: Limits.maxEnumNameLength, limit: 'maxEnumNameLength' },
  action: { max: Limits.maxEnumNameLength, limit: 'maxEnumNameLength' },
};

/** Most entries per repeated field name. */
export const REPEATED_FIELD_LIMITS: Readonly<Record<string, { max: number; limit: string }>> = {
  excludeNodeIds: { max: Limits.maxExcludedNodes, limit: 'maxExcludedNodes' },
  blocks: { max: Limits.maxBlocksPerReport, limit: 'maxBlocksPerReport' },
  received: { max: Limits.maxBlockIdsPerMessage, limit: 'maxBlockIdsPerMessage' },
  deleted: { max: Limits.maxBlockIdsPerMessage, limit: 'maxBlockIdsPerMessage' },
  beingWritten: { max: Limits.maxBlockIdsPerMessage, limit: 'maxBlockIdsPerMessage' },
  blockIds: { max: Limits.maxBlockIdsPerMessage, limit: 'maxBlockIdsPerMessage' },
  peerProbes: { max: Limits.maxPeerProbeResultsPerBeat, limit: 'maxPeerProbeResultsPerBeat' },
};

/** A string or repeated field missing from the tables (a field added to a proto without its entry). */
const DEFAULT_STRING_LIMIT = { max: Limits.maxUnlistedStringLength, limit: 'maxUnlistedStringLength' };
const DEFAULT_REPEATED_LIMIT = { max: Limits.maxUnlistedRepeatedCount, limit: 'maxUnlistedRepeatedCount' };

/** Deepest message nesting walked (requests nest two levels: RegisterRequest.info, CompleteRequest.blocks[]). */
const MAX_DEPTH = 4;

/**
 * Throws InvalidArgumentError when `request` (a decoded `<message>` named by `what`, e.g.
 * "ReportBadReplicaRequest") breaks a limit. Returns it unchanged otherwise.
 */
export function checkRequestLimits<T>(what: string, request: T): T {
  walk(what, request, 0);
  return request;
}

function walk(where: string, value: unknown, depth: number): void {
  if (value === null || value === undefined || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  if (depth > MAX_DEPTH) throw new InvalidArgumentError(`${where}: nested too deeply`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = `${where}.${key}`;
    if (Array.isArray(v)) {
      const lim = REPEATED_FIELD_LIMITS[key] ?? DEFAULT_REPEATED_LIMIT;
      if (v.length > lim.max) throw new InvalidArgumentError(`${field}: ${v.length} entries, more than the limit of ${lim.max} (Limits.${lim.limit})`);
      for (let i = 0; i < v.length; i++) checkValue(`${field}[${i}]`, key, v[i], depth);
    } else {
      checkValue(field, key, v, depth);
    }
  }
}

function checkValue(field: string, key: string, v: unknown, depth: number): void {
  if (typeof v === 'string') {
    const lim = STRING_FIELD_LIMITS[key] ?? DEFAULT_STRING_LIMIT;
    if (v.length > lim.max) throw new InvalidArgumentError(`${field}: ${v.length} characters, more than the limit of ${lim.max} (Limits.${lim.limit})`);
  } else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new InvalidArgumentError(`${field}: ${v} is not an integer in 0..${Number.MAX_SAFE_INTEGER} (a negative number sent as uint64 wraps to near 2^64)`);
    }
  } else if (typeof v === 'object') {
    walk(field, v, depth + 1);
  }
}
