/**
 * NamenodeFence: whose commands a DataNode serving several NameNodes executes. An ACTIVE reply at
 * the highest epoch seen (or higher) is obeyed and raises the epoch; a STANDBY, a deposed active
 * (lower epoch), and a NameNode without HA among several are not; a NameNode without HA alone is
 * obeyed as before HA.
 */
import { NamenodeFence, parseNamenodeAddresses, MAX_NAMENODES_PER_DATANODE } from '@minidfs/datanode';
import { DfsError } from '@minidfs/common';

const A = 'nn-a:8020';
const B = 'nn-b:8020';

describe('NamenodeFence', () => {
  test('starts at epoch 0 with nobody commanding', () => {
    const fence = new NamenodeFence(2);
    expect(fence.highestEpochSeen).toBe(0);
    expect(fence.commandingNamenode).toBeUndefined();
    expect(fence.lastSeen(A)).toBeUndefined();
  });

  test('an ACTIVE at a higher or equal epoch is obeyed and raises highestEpochSeen', () => {
    const fence = new NamenodeFence(2);
    expect(fence.accept(A, 'ACTIVE', 3)).toBe(true);
    expect(fence.highestEpochSeen).toBe(3);
    expect(fence.accept(A, 'ACTIVE', 3)).toBe(true);
    expect(fence.accept(A, 'ACTIVE', 4)).toBe(true);
    expect(fence.highestEpochSeen).toBe(4);
    expect(fence.commandingNamenode).toBe(A);
  });

  test('a STANDBY is never obeyed, whatever its epoch, and does not raise the epoch', () => {
    const fence = new NamenodeFence(2);
    expect(fence.decide(B, 'STANDBY', 9)).toMatchObject({ accepted: false, verdict: 'standby', highestEpochSeen: 0 });
    expect(fence.accept(A, 'ACTIVE', 1)).toBe(true);
    expect(fence.accept(B, 'STANDBY', 1)).toBe(false);
    expect(fence.highestEpochSeen).toBe(1);
  });

  test('failover: the new active at a higher epoch wins and the deposed active is fenced from then on', () => {
    const fence = new NamenodeFence(2);
    expect(fence.accept(A, 'ACTIVE', 5)).toBe(true);
    expect(fence.accept(B, 'STANDBY', 5)).toBe(false);
    // B is elected: epoch 6. A has not noticed yet and still says ACTIVE 5.
    expect(fence.accept(B, 'ACTIVE', 6)).toBe(true);
    expect(fence.decide(A, 'ACTIVE', 5)).toMatchObject({ accepted: false, verdict: 'stale-epoch', epoch: 5, highestEpochSeen: 6 });
    expect(fence.commandingNamenode).toBe(B);
    // A is elected again later: epoch 7.
    expect(fence.accept(A, 'ACTIVE', 7)).toBe(true);
    expect(fence.accept(B, 'ACTIVE', 6)).toBe(false);
    expect(fence.highestEpochSeen).toBe(7);
  });

  test('a deposed active answering first after a restart of the DataNode is obeyed only until the new one answers', () => {
    // highestEpochSeen is in memory only: the first ACTIVE sets it.
    const fence = new NamenodeFence(2);
    expect(fence.accept(A, 'ACTIVE', 5)).toBe(true);
    expect(fence.accept(B, 'ACTIVE', 6)).toBe(true);
    expect(fence.accept(A, 'ACTIVE', 5)).toBe(false);
  });

  test('HA_ROLE_UNSPECIFIED (no HA) is obeyed when it is the only NameNode configured', () => {
    const fence = new NamenodeFence(1);
    expect(fence.decide(A, 'HA_ROLE_UNSPECIFIED', 0)).toMatchObject({ accepted: true, verdict: 'sole-namenode', highestEpochSeen: 0 });
    // An absent role and epoch (a NameNode built before HA) decode the same way.
    expect(fence.accept(A, undefined, undefined)).toBe(true);
    expect(fence.commandingNamenode).toBe(A);
  });

  test('HA_ROLE_UNSPECIFIED among several NameNodes is not obeyed', () => {
    const fence = new NamenodeFence(2);
    expect(fence.decide(A, 'HA_ROLE_UNSPECIFIED', 0)).toMatchObject({ accepted: false, verdict: 'unspecified-among-several' });
    expect(fence.accept(B, 'HA_ROLE_UNSPECIFIED', 0)).toBe(false);
  });

  test('a single HA NameNode follows the same epoch rule', () => {
    const fence = new NamenodeFence(1);
    expect(fence.accept(A, 'STANDBY', 1)).toBe(false);
    expect(fence.accept(A, 'ACTIVE', 2)).toBe(true);
    expect(fence.accept(A, 'ACTIVE', 1)).toBe(false);
  });

  test('numeric roles and decimal-string epochs are understood; anything else is refused', () => {
    const fence = new NamenodeFence(2);
    expect(fence.accept(A, 1, '12')).toBe(true);
    expect(fence.highestEpochSeen).toBe(12);
    expect(fence.accept(B, 2, 12)).toBe(false);
    expect(fence.decide(B, 'LEADER', 13)).toMatchObject({ accepted: false, verdict: 'invalid-role', role: 'invalid' });
    expect(fence.decide(B, 7, 13)).toMatchObject({ accepted: false, verdict: 'invalid-role' });
    expect(fence.decide(B, 'ACTIVE', -1)).toMatchObject({ accepted: false, verdict: 'invalid-epoch', epoch: -1 });
    expect(fence.decide(B, 'ACTIVE', 1.5)).toMatchObject({ accepted: false, verdict: 'invalid-epoch' });
    expect(fence.decide(B, 'ACTIVE', 2 ** 60)).toMatchObject({ accepted: false, verdict: 'invalid-epoch' });
    expect(fence.highestEpochSeen).toBe(12);
  });

  test('lastSeen and changed follow each NameNode separately', () => {
    const fence = new NamenodeFence(2);
    expect(fence.decide(A, 'ACTIVE', 1).changed).toBe(true);
    expect(fence.decide(A, 'ACTIVE', 1).changed).toBe(false);
    expect(fence.decide(B, 'STANDBY', 1).changed).toBe(true);
    expect(fence.decide(B, 'STANDBY', 1).changed).toBe(false);
    expect(fence.decide(B, 'ACTIVE', 2).changed).toBe(true);
    // A's own reply did not change, but it is no longer obeyed: that is a change worth a line.
    expect(fence.decide(A, 'ACTIVE', 1)).toMatchObject({ changed: true, accepted: false });
    expect(fence.lastSeen(A)).toEqual({ role: 'ACTIVE', epoch: 1, accepted: false });
    expect(fence.lastSeen(B)).toEqual({ role: 'ACTIVE', epoch: 2, accepted: true });
  });

  test('highestEpochSeen never decreases over a random sequence of replies', () => {
    let seed = 1207;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const fence = new NamenodeFence(3);
    let previous = 0;
    for (let i = 0; i < 2000; i++) {
      const address = ['a:1', 'b:1', 'c:1'][Math.floor(random() * 3)];
      const role = ['ACTIVE', 'STANDBY', 'HA_ROLE_UNSPECIFIED'][Math.floor(random() * 3)];
      const epoch = Math.floor(random() * 20);
      const accepted = fence.accept(address, role, epoch);
      expect(accepted).toBe(role === 'ACTIVE' && epoch >= previous);
      expect(fence.highestEpochSeen).toBeGreaterThanOrEqual(previous);
      previous = fence.highestEpochSeen;
    }
  });

  test('needs at least one NameNode', () => {
    expect(() => new NamenodeFence(0)).toThrow(RangeError);
    expect(() => new NamenodeFence(1.5)).toThrow(RangeError);
  });
});

describe('parseNamenodeAddresses', () => {
  test('one address or a comma-separated list, spaces and empty entries ignored', () => {
    expect(parseNamenodeAddresses('127.0.0.1:8020')).toEqual(['127.0.0.1:8020']);
    expect(parseNamenodeAddresses(' a:8020, b:8021 ,')).toEqual(['a:8020', 'b:8021']);
  });

  test.each([
    ['nothing', ''],
    ['only commas', ' , '],
    ['a repeated address', 'a:8020,a:8020'],
    ['a malformed address', 'a:8020,b:notaport'],
    ['too many', Array.from({ length: MAX_NAMENODES_PER_DATANODE + 1 }, (_, i) => `h${i}:8020`).join(',')],
  ])('refuses %s', (_what, value) => {
    expect(() => parseNamenodeAddresses(value)).toThrow(DfsError);
  });
});
