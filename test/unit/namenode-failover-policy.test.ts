/**
 * NameNode failover as pure arithmetic (client failover.ts decideFailover / failoverDelayMs) and the
 * parsing of `--namenode a:8020,b:8020` (parseNameNodeAddresses): which NameNode a failed call goes
 * to next, after what delay, when it gives up, and which calls may be resent after a lost answer.
 * No sockets, no timers: elapsed time is an argument.
 */
import {
  DEFAULT_NAMENODE_FAILOVER, NAMENODE_FAILOVER_DEADLINE_MS, NAMENODE_FAILOVER_INITIAL_DELAY_MS, NAMENODE_FAILOVER_MAX_DELAY_MS,
  NOT_RESENDABLE_METHODS, type FailoverReason, type NameNodeFailoverPolicy, decideFailover, failoverDelayMs, parseNameNodeAddresses,
} from '@minidfs/client';
import { InvalidArgumentError } from '@minidfs/common';

const policy = DEFAULT_NAMENODE_FAILOVER;

function decide(over: Partial<Parameters<typeof decideFailover>[0]> = {}) {
  return decideFailover({
    method: 'GetFileInfo', reason: 'NOT_ACTIVE', attempt: 1, failedIndex: 0, namenodeCount: 2, elapsedMs: 0, policy, ...over,
  });
}

/** Plays a call whose every try fails for `reason` instantly: the tries made and when the call gives up. */
function playAllFailing(namenodeCount: number, p: NameNodeFailoverPolicy, reason: FailoverReason = 'NOT_ACTIVE') {
  const tries: Array<{ index: number; atMs: number }> = [];
  let index = 0;
  let elapsedMs = 0;
  for (let attempt = 1; ; attempt++) {
    tries.push({ index, atMs: elapsedMs });
    const d = decideFailover({ method: 'Mkdirs', reason, attempt, failedIndex: index, namenodeCount, elapsedMs, policy: p });
    if (d.kind === 'give-up') return { tries, gaveUpAtMs: elapsedMs, why: d.why };
    elapsedMs += d.delayMs;
    index = d.index;
  }
}

describe('NameNode failover policy', () => {
  test('defaults: 50 ms doubling to 1 s, 15 s deadline, named constants', () => {
    expect(policy).toEqual({ initialDelayMs: 50, maxDelayMs: 250, deadlineMs: 15_000 });
    expect([NAMENODE_FAILOVER_INITIAL_DELAY_MS, NAMENODE_FAILOVER_MAX_DELAY_MS, NAMENODE_FAILOVER_DEADLINE_MS]).toEqual([50, 250, 15_000]);
  });

  test('each NameNode is first tried at once; then the delay doubles from 50 ms and stays at 1 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((a) => failoverDelayMs(a, 2, policy))).toEqual([0, 50, 100, 200, 250, 250, 250, 250, 250]);
    expect([1, 2, 3, 4, 5].map((a) => failoverDelayMs(a, 3, policy))).toEqual([0, 0, 50, 100, 200]);
    expect(failoverDelayMs(10_000, 2, policy)).toBe(250);
  });

  test('a standby first: the call moves to the next NameNode at once', () => {
    expect(decide()).toEqual({ kind: 'retry', index: 1, delayMs: 0 });
    expect(decide({ failedIndex: 1, attempt: 2 })).toEqual({ kind: 'retry', index: 0, delayMs: 50 });
    expect(decide({ failedIndex: 2, namenodeCount: 3 })).toEqual({ kind: 'retry', index: 0, delayMs: 0 });
  });

  test('three NameNodes, all failing: each is tried in turn, none skipped', () => {
    const r = playAllFailing(3, policy);
    expect(r.tries.slice(0, 7).map((t) => t.index)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  test('when another call found the active during this try, the call goes there rather than to the next in order', () => {
    expect(decide({ failedIndex: 0, activeFoundMeanwhileIndex: 2, namenodeCount: 3 })).toEqual({ kind: 'retry', index: 2, delayMs: 0 });
    // A stale finding naming the NameNode that just failed is ignored.
    expect(decide({ failedIndex: 1, activeFoundMeanwhileIndex: 1, namenodeCount: 3 })).toEqual({ kind: 'retry', index: 2, delayMs: 0 });
  });

  test('one NameNode: no failover, the error is the call\'s (as without HA)', () => {
    for (const reason of ['NOT_ACTIVE', 'UNREACHABLE', 'LOST'] as const) {
      expect(decide({ namenodeCount: 1, reason })).toEqual({ kind: 'give-up', why: 'single-namenode' });
    }
  });

  test('NOT_ACTIVE and UNREACHABLE mean nothing was done: every call moves on, HaFailover too', () => {
    for (const method of ['Create', 'AddBlock', 'Complete', 'Delete', 'Mkdirs', 'HaFailover']) {
      for (const reason of ['NOT_ACTIVE', 'UNREACHABLE'] as const) expect(decide({ method, reason }).kind).toBe('retry');
    }
  });

  test('LOST (the request may have been done): resent, except HaFailover (it would make the new active resign too)', () => {
    for (const method of ['Create', 'AddBlock', 'Complete', 'Delete', 'Mkdirs', 'GetFileInfo', 'SetSafeMode']) {
      expect(decide({ method, reason: 'LOST' }).kind).toBe('retry');
    }
    expect([...NOT_RESENDABLE_METHODS]).toEqual(['HaFailover']);
    expect(decide({ method: 'HaFailover', reason: 'LOST' })).toEqual({ kind: 'give-up', why: 'not-resendable' });
  });

  test('no try starts at or after the deadline', () => {
    expect(decide({ attempt: 2, elapsedMs: 14_949 })).toEqual({ kind: 'retry', index: 1, delayMs: 50 });
    expect(decide({ attempt: 2, elapsedMs: 14_950 })).toEqual({ kind: 'give-up', why: 'deadline' });
    expect(decide({ attempt: 1, elapsedMs: 15_000 })).toEqual({ kind: 'give-up', why: 'deadline' });
  });

  test('every NameNode a standby for ever: alternating tries, bounded in time and number', () => {
    const r = playAllFailing(2, policy);
    expect(r.why).toBe('deadline');
    expect(r.gaveUpAtMs).toBeLessThan(policy.deadlineMs);
    expect(r.tries.slice(0, 6).map((t) => t.index)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(r.tries.slice(0, 6).map((t) => t.atMs)).toEqual([0, 0, 50, 150, 350, 600]);
    // 0.35 s to reach the 250 ms cap, then four tries a second: about 60 tries in 15 s.
    expect(r.tries.length).toBeGreaterThan(55);
    expect(r.tries.length).toBeLessThan(70);
    const short = playAllFailing(2, { ...policy, deadlineMs: 500 });
    expect(short.tries.map((t) => t.atMs)).toEqual([0, 0, 50, 150, 350]);
  });

  test('rejects nonsense input', () => {
    expect(() => decide({ namenodeCount: 0 })).toThrow(RangeError);
    expect(() => decide({ attempt: 0 })).toThrow(RangeError);
  });
});

describe('parseNameNodeAddresses (--namenode, MINIDFS_NAMENODE)', () => {
  test('one address works as before; several are comma-separated, in order', () => {
    expect(parseNameNodeAddresses('localhost:8020')).toEqual(['localhost:8020']);
    expect(parseNameNodeAddresses('nn1')).toEqual(['nn1:8020']);
    expect(parseNameNodeAddresses('a:8020,b:8021')).toEqual(['a:8020', 'b:8021']);
    expect(parseNameNodeAddresses(' a:1 , [::1]:2,b ')).toEqual(['a:1', '[::1]:2', 'b:8020']);
    expect(parseNameNodeAddresses(['a:1', 'b:2,c:3'])).toEqual(['a:1', 'b:2', 'c:3']);
  });

  test('duplicates are dropped, the first position kept', () => {
    expect(parseNameNodeAddresses('a:1,b:2,a:1')).toEqual(['a:1', 'b:2']);
  });

  test('an empty item or a malformed address is INVALID_ARGUMENT naming it', () => {
    expect(() => parseNameNodeAddresses('a:1,')).toThrow(InvalidArgumentError);
    expect(() => parseNameNodeAddresses('a:1,')).toThrow('an empty address');
    expect(() => parseNameNodeAddresses('')).toThrow(InvalidArgumentError);
    expect(() => parseNameNodeAddresses('a:1,a:b:c')).toThrow('expected HOST:PORT (IPv6 as [ADDRESS]:PORT), got "a:b:c"');
    expect(() => parseNameNodeAddresses('a:1,b:99999')).toThrow('the port must be an integer in 1..65535');
  });
});
