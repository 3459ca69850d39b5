/**
 * A DataNode serving two NameNodes (an HA pair), inside one process over real gRPC sockets: a real
 * DataNode (`new DataNode`, open cluster) and two scripted stand-in NameNodes (DatanodeProtocol
 * servers) whose answers carry an HA role and epoch. Checked: the DataNode registers, heartbeats
 * and reports to both; incremental reports reach both; the active's commands are executed; a
 * standby's and, after a failover, the deposed active's commands (SHUTDOWN and REREGISTER
 * included, on the heartbeat stream and in block report answers) are not, each dropped reply is
 * counted and logged (`command-fenced`); /metrics shows each NameNode's link, role and epoch. A
 * NameNode of another cluster is refused on its own while the other keeps being served.
 */
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import {
  type DatanodeCommand, type DatanodeProtocolHandlers, type HeartbeatRequest__Output, type Logger, SERVER_OPTIONS, bindServer, loadProtos,
} from '@minidfs/common';
import { DataNode } from '@minidfs/datanode';
import { waitFor } from '../support/wait';

type Role = 'ACTIVE' | 'STANDBY' | 'HA_ROLE_UNSPECIFIED';

interface FakeNameNode {
  server: grpc.Server;
  address: string;
  role: Role;
  epoch: number;
  clusterId: string;
  registrations: number;
  beats: HeartbeatRequest__Output[];
  fullReports: number;
  /** Block ids reported deleted / received through BlockReceivedAndDeleted. */
  deleted: number[];
  received: number[];
  /** Commands for the next heartbeat answer (sent once). */
  heartbeatCommands: DatanodeCommand[];
  /** Commands on every BlockReport answer. */
  blockReportCommands: DatanodeCommand[];
}

async function fakeNameNode(role: Role, epoch: number, clusterId = 'CID-ha-test'): Promise<FakeNameNode> {
  const server = new grpc.Server(SERVER_OPTIONS);
  const fake: FakeNameNode = {
    server, address: '', role, epoch, clusterId, registrations: 0, beats: [], fullReports: 0, deleted: [], received: [], heartbeatCommands: [], blockReportCommands: [],
  };
  const handlers: DatanodeProtocolHandlers = {
    Register: (call, cb) => {
      fake.registrations += 1;
      cb(null, {
        nodeId: call.request.info!.id, registrationId: `r${fake.registrations}`, heartbeatIntervalMs: 100, staleAfterMissed: 2, deadAfterMissed: 4,
        blockSizeBytes: 1 << 20, blockReportIntervalMs: 300, clusterId: fake.clusterId, sessionToken: '', membershipSeeds: [],
        haRole: fake.role, epoch: fake.epoch,
      });
    },
    Heartbeat: (call) => {
      call.on('data', (beat: HeartbeatRequest__Output) => {
        fake.beats.push(beat);
        const commands = fake.heartbeatCommands.splice(0);
        call.write({ ackedSequence: beat.sequence, commands, haRole: fake.role, epoch: fake.epoch });
      });
      call.on('error', () => undefined);
      call.on('end', () => call.end());
    },
    BlockReport: (_call, cb) => {
      fake.fullReports += 1;
      cb(null, { commands: fake.blockReportCommands, haRole: fake.role, epoch: fake.epoch });
    },
    BlockReceivedAndDeleted: (call, cb) => {
      fake.deleted.push(...call.request.deleted.map(Number));
      fake.received.push(...call.request.received.map((b) => Number(b.blockId)));
      cb(null, {});
    },
    ReportBadBlocks: (_call, cb) => cb(null, {}),
  };
  server.addService(loadProtos().DatanodeProtocol.service, handlers);
  fake.address = `127.0.0.1:${await bindServer(server, '127.0.0.1:0')}`;
  return fake;
}

/** A winston logger whose JSON lines land in `lines`. */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), defaultMeta: { component: 'datanode' }, transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}

async function metricsText(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.text();
}

/** The value of one sample line `name{labels} value` (labels given as they are rendered). */
function sample(text: string, nameAndLabels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${nameAndLabels} `));
  return line === undefined ? undefined : Number(line.slice(nameAndLabels.length + 1));
}

let root: string;
let fakes: FakeNameNode[] = [];
let dn: DataNode | undefined;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-ha-dn-')); });
afterEach(async () => {
  await dn?.stop(false);
  dn = undefined;
  for (const f of fakes) f.server.forceShutdown();
  fakes = [];
  fs.rmSync(root, { recursive: true, force: true });
});

function startDataNode(namenodes: FakeNameNode[], logger: Logger, fatal: Error[]): Promise<void> {
  dn = new DataNode({
    namenode: namenodes.map((n) => n.address).join(','), bindHost: '127.0.0.1', port: 0, dataDir: root, id: 'dn1', advertiseHost: '127.0.0.1', rack: '/r',
    backoff: { initialMs: 50, maxMs: 200 }, metricsPort: 0, scanBytesPerSecond: 0, directoryScanIntervalMs: 0,
  }, logger);
  return dn.start((err) => fatal.push(err));
}

test('only the active NameNode with the highest epoch commands the DataNode; both hear every report', async () => {
  const a = await fakeNameNode('ACTIVE', 5);
  const b = await fakeNameNode('STANDBY', 5);
  fakes = [a, b];
  const { logger, lines } = capturingLogger();
  const fatal: Error[] = [];
  await startDataNode([a, b], logger, fatal);
  const node = dn!;
  await waitFor('registered, beating and reported to both', () => a.beats.length > 2 && b.beats.length > 2 && a.fullReports > 0 && b.fullReports > 0, 10_000);
  expect(node.fence.highestEpochSeen).toBe(5);

  // The standby's commands (an INVALIDATE and a SHUTDOWN) are dropped, counted and logged.
  b.heartbeatCommands.push({ invalidate: { blockIds: [111] } }, { shutdown: { reason: 'standby says so' } });
  const fencedB = await waitFor('standby commands fenced', () => lines.find((l) => l.event === 'command-fenced' && l.namenode === b.address), 5_000);
  expect(fencedB).toMatchObject({ role: 'STANDBY', epoch: 5, highestEpochSeen: 5, commands: 2, verdict: 'standby', source: 'heartbeat' });
  expect(node.fenceCounters.fencedCommands).toBe(2);

  // The active's INVALIDATE runs: the block (absent here) is reported deleted to both NameNodes.
  a.heartbeatCommands.push({ invalidate: { blockIds: [4242] } });
  await waitFor('deleted 4242 reported to both', () => a.deleted.includes(4242) && b.deleted.includes(4242), 5_000);
  expect(a.deleted).not.toContain(111);
  expect(b.deleted).not.toContain(111);
  expect(fatal).toEqual([]);

  // Failover: B is elected with epoch 6; A has not noticed and still answers ACTIVE at epoch 5.
  b.role = 'ACTIVE';
  b.epoch = 6;
  await waitFor('epoch 6 seen', () => node.fence.highestEpochSeen === 6, 5_000);
  const aRegistrations = a.registrations;
  a.heartbeatCommands.push({ shutdown: { reason: 'deposed active' } }, { invalidate: { blockIds: [222] } });
  a.blockReportCommands = [{ invalidate: { blockIds: [333] } }];
  const fencedA = await waitFor('deposed active fenced', () => lines.find((l) => l.event === 'command-fenced' && l.namenode === a.address && l.source === 'heartbeat'), 5_000);
  expect(fencedA).toMatchObject({ role: 'ACTIVE', epoch: 5, highestEpochSeen: 6, commands: 2, verdict: 'stale-epoch' });
  const fullReportsBefore = a.fullReports;
  await waitFor('a periodic block report answer of the deposed active fenced', () => a.fullReports > fullReportsBefore
    && lines.some((l) => l.event === 'command-fenced' && l.namenode === a.address && l.source === 'block-report'), 5_000);

  // The new active's commands run, and still reach both NameNodes' reports.
  b.heartbeatCommands.push({ invalidate: { blockIds: [4343] } });
  await waitFor('deleted 4343 reported to both', () => a.deleted.includes(4343) && b.deleted.includes(4343), 5_000);
  // REREGISTER concerns only that link's registration: obeyed from any NameNode (a standby that forgot the node).
  a.heartbeatCommands.push({ reregister: { reason: 'unknown node' } });
  await waitFor('re-registered with the deposed active', () => a.registrations > aRegistrations, 5_000);
  for (const id of [222, 333]) {
    expect(a.deleted).not.toContain(id);
    expect(b.deleted).not.toContain(id);
  }
  expect(fatal).toEqual([]); // neither SHUTDOWN was obeyed

  // Status and metrics: both NameNodes connected, their last role and epoch, what was fenced.
  expect(node.namenodeStatus()).toEqual([
    expect.objectContaining({ address: a.address, connected: true, role: 'ACTIVE', epoch: 5, commandsAccepted: false }),
    expect.objectContaining({ address: b.address, connected: true, role: 'ACTIVE', epoch: 6, commandsAccepted: true, fencedCommands: 2 }),
  ]);
  const text = await metricsText(node.metricsPort);
  expect(sample(text, 'minidfs_datanode_fenced_commands_total')).toBeGreaterThanOrEqual(2 + 3 + 1);
  expect(sample(text, 'minidfs_datanode_highest_epoch_seen')).toBe(6);
  expect(sample(text, `minidfs_datanode_namenode_connected{namenode="${a.address}"}`)).toBe(1);
  expect(sample(text, `minidfs_datanode_namenode_connected{namenode="${b.address}"}`)).toBe(1);
  expect(sample(text, `minidfs_datanode_namenode_epoch{namenode="${a.address}"}`)).toBe(5);
  expect(sample(text, `minidfs_datanode_namenode_role{namenode="${b.address}",role="ACTIVE",commanding="true"}`)).toBe(1);
  expect(sample(text, `minidfs_datanode_namenode_role{namenode="${a.address}",role="ACTIVE",commanding="false"}`)).toBe(1);
});

test('two NameNodes without HA: neither commands the DataNode, both are served', async () => {
  const a = await fakeNameNode('HA_ROLE_UNSPECIFIED', 0);
  const b = await fakeNameNode('HA_ROLE_UNSPECIFIED', 0);
  fakes = [a, b];
  const { logger, lines } = capturingLogger();
  await startDataNode([a, b], logger, []);
  await waitFor('beating to both', () => a.beats.length > 1 && b.beats.length > 1, 10_000);
  a.heartbeatCommands.push({ invalidate: { blockIds: [7] } });
  const fenced = await waitFor('fenced', () => lines.find((l) => l.event === 'command-fenced'), 5_000);
  expect(fenced).toMatchObject({ namenode: a.address, verdict: 'unspecified-among-several', commands: 1 });
});

test('a NameNode of another cluster is refused on its own; the DataNode keeps serving the other', async () => {
  fs.writeFileSync(path.join(root, 'VERSION'), JSON.stringify({ id: 'dn1', uuid: 'u-1', clusterId: 'CID-ha-test' }));
  const a = await fakeNameNode('ACTIVE', 1);
  const wrong = await fakeNameNode('STANDBY', 1, 'CID-another');
  fakes = [a, wrong];
  const { logger, lines } = capturingLogger();
  const fatal: Error[] = [];
  await startDataNode([a, wrong], logger, fatal);
  await waitFor('refused', () => lines.find((l) => l.event === 'namenode-refused' && l.namenode === wrong.address), 10_000);
  expect(lines.find((l) => l.event === 'cluster-id-mismatch')).toMatchObject({ namenode: wrong.address, namenodeClusterId: 'CID-another' });
  const beats = a.beats.length;
  await waitFor('still beating to the right one', () => a.beats.length > beats + 3, 5_000);
  expect(wrong.beats).toEqual([]);
  expect(wrong.fullReports).toBe(0);
  expect(fatal).toEqual([]);
  expect(dn!.namenodeStatus()[1]).toMatchObject({ address: wrong.address, connected: false, registered: false, refused: expect.stringMatching(/CID-another/) });
  const text = await metricsText(dn!.metricsPort);
  expect(sample(text, `minidfs_datanode_namenode_refused{namenode="${wrong.address}"}`)).toBe(1);
  expect(sample(text, `minidfs_datanode_namenode_connected{namenode="${a.address}"}`)).toBe(1);
});

test('with one NameNode, a refusal is fatal as before HA', async () => {
  fs.writeFileSync(path.join(root, 'VERSION'), JSON.stringify({ id: 'dn1', uuid: 'u-1', clusterId: 'CID-ha-test' }));
  const wrong = await fakeNameNode('HA_ROLE_UNSPECIFIED', 0, 'CID-another');
  fakes = [wrong];
  const { logger } = capturingLogger();
  const fatal: Error[] = [];
  await startDataNode([wrong], logger, fatal);
  await waitFor('fatal', () => fatal[0], 10_000);
  expect(fatal[0].name).toBe('ClusterIdMismatchError');
});
