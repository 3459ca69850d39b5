/**
 * The HA checker's rules on hand-made logs (pure, no cluster): commands of an old epoch executed
 * after a newer promotion (split brain), epochs going down on one DataNode, commands from a
 * standby or from a NameNode that does not hold the epoch, DEADs a NameNode declared about a
 * DataNode it could hear, and a replaced active still running.
 */
import type { FaultRecord } from './faults';
import { type ExecutedCommand, type HaCheckInput, type Promotion, checkHa } from './ha-checker';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const NN1 = '10.0.0.1:8020';
const NN2 = '10.0.0.2:8020';

function promotion(namenode: string, epoch: number, atMs: number, life = 0): Promotion {
  return { namenode, address: namenode === 'nn1' ? NN1 : NN2, epoch, atMs, life };
}
function exec(datanode: string, namenode: string, epoch: number, atMs: number, role = 'ACTIVE'): ExecutedCommand {
  return { datanode, namenode, epoch, atMs, role, kind: 'invalidate' };
}

/** nn1 active at epoch 3 from T0, killed; nn2 active at epoch 50 from T0 + 3 s. */
function input(over: Partial<HaCheckInput>): HaCheckInput {
  return {
    executed: [exec('dn1', NN1, 3, T0 + 1000), exec('dn1', NN2, 50, T0 + 4000), exec('dn2', NN2, 50, T0 + 4100)],
    fencedCommands: 0,
    promotions: [promotion('nn1', 3, T0), promotion('nn2', 50, T0 + 3000)],
    elected: [3, 50],
    committedEdits: { edits: [{ revision: 5, epoch: 3 }, { revision: 49, epoch: 3 }, { revision: 52, epoch: 50 }], compacted: false, watching: true },
    transitions: [],
    processes: [{ namenode: 'nn1', life: 0, running: false, exitCode: null, signal: 'SIGKILL' }, { namenode: 'nn2', life: 0, running: true, exitCode: null, signal: null }],
    faults: [], deadWindowMs: 1200, endMs: T0 + 60_000, ...over,
  };
}

describe('HA checker', () => {
  test('a clean failover passes', () => {
    const v = checkHa(input({}));
    expect(v.failures).toEqual([]);
    expect(v.stats).toMatchObject({ executed: 3, epochs: [3, 50], failovers: 1, deadsFromFailover: 0, edits: 3 });
  });

  test('a command of the old epoch executed after the new promotion is split brain', () => {
    const v = checkHa(input({ executed: [exec('dn1', NN2, 50, T0 + 4000), exec('dn3', NN1, 3, T0 + 3500)] }));
    expect(v.failures.some((f) => f.startsWith('ha: split brain: dn3 executed invalidate of epoch 3'))).toBe(true);
  });

  test('an edit of the old epoch committed after the new election is split brain; an unknown epoch fails', () => {
    const v = checkHa(input({ committedEdits: { edits: [{ revision: 49, epoch: 3 }, { revision: 53, epoch: 3 }, { revision: 60, epoch: 7 }], compacted: false, watching: true } }));
    expect(v.failures).toEqual([
      'ha: split brain: edit of epoch 3 committed at revision 53, after epoch 50 began',
      'ha: edit at revision 60 names epoch 7, which no NameNode was elected to',
    ]);
  });

  test('epochs never go down on one DataNode', () => {
    const v = checkHa(input({ promotions: [promotion('nn1', 3, T0), promotion('nn2', 50, T0 + 9000)], executed: [exec('dn1', NN2, 50, T0 + 9500), exec('dn1', NN1, 3, T0 + 9600)] }));
    expect(v.failures.some((f) => f.includes('dn1 executed invalidate of epoch 3') && f.includes('after one of epoch 50'))).toBe(true);
  });

  test('commands from a standby, from an unknown epoch or from the wrong NameNode fail', () => {
    const v = checkHa(input({ executed: [exec('dn1', NN2, 3, T0 + 100, 'STANDBY'), exec('dn1', NN1, 7, T0 + 200), exec('dn2', NN2, 3, T0 + 300)] }));
    expect(v.failures).toEqual(expect.arrayContaining([
      expect.stringContaining('role STANDBY'), expect.stringContaining('epoch 7, which no NameNode was promoted to'), expect.stringContaining('but nn1 (10.0.0.1:8020) holds that epoch'),
    ]));
  });

  test('a DEAD at a NameNode that could hear the DataNode fails; one cut from it does not', () => {
    const cut: FaultRecord = { id: 1, kind: 'partition-namenode', target: 'dn1', startMs: T0 + 10_000, endMs: T0 + 15_000, detail: { namenode: 'nn1' } };
    const transitions = [
      { namenode: 'nn1', nodeId: 'dn1', to: 'DEAD', atMs: T0 + 11_000, reason: 'missed-beats' },
      { namenode: 'nn2', nodeId: 'dn1', to: 'DEAD', atMs: T0 + 11_000, reason: 'missed-beats' },
      { namenode: 'nn2', nodeId: 'dn2', to: 'DEAD', atMs: T0 + 30_000, reason: 'missed-beats' },
    ];
    const v = checkHa(input({ faults: [cut], transitions }));
    expect(v.stats.deadsFromFailover).toBe(2);
    expect(v.failures.filter((f) => f.includes('DEAD'))).toEqual([
      expect.stringContaining('nn2 declared dn1 DEAD'), expect.stringContaining('nn2 declared dn2 DEAD'),
    ]);
  });

  test('a replaced active still running fails', () => {
    const v = checkHa(input({ processes: [{ namenode: 'nn1', life: 0, running: true, exitCode: null, signal: null }] }));
    expect(v.failures).toEqual([expect.stringContaining('nn1 (life 0) was active with epoch 3, replaced by nn2 (epoch 50), and is still running')]);
  });
});
