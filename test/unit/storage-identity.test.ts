/**
 * A DataNode's storage identity (DATA_DIR/VERSION): the cluster id it remembers is loaded at
 * start, and a VERSION that cannot be read stops the node instead of being replaced (which would
 * forget the cluster id and let any NameNode judge the blocks).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DfsError, silentLogger } from '@minidfs/common';
import { DataNode, type DataNodeOptions } from '@minidfs/datanode';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-version-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const options = (): DataNodeOptions => ({
  namenode: '127.0.0.1:1', bindHost: '127.0.0.1', port: 0, dataDir: dir, rack: '/r', backoff: { initialMs: 10, maxMs: 10 },
});

describe('DataNode VERSION', () => {
  test('a fresh data dir gets an id and uuid but no cluster id until it registers', async () => {
    const dn = new DataNode({ ...options(), id: 'dn1' }, silentLogger());
    expect(dn.identity.clusterId).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'VERSION'), 'utf8'))).toEqual({ id: 'dn1', uuid: dn.identity.uuid });
    await dn.stop(false);
  });

  test('the remembered cluster id is loaded and kept when VERSION is rewritten', async () => {
    fs.writeFileSync(path.join(dir, 'VERSION'), JSON.stringify({ id: 'dn1', uuid: 'u-1', clusterId: 'CID-abc' }));
    const dn = new DataNode({ ...options(), id: 'dn9' }, silentLogger()); // another --id rewrites VERSION
    expect(dn.identity).toEqual({ id: 'dn9', uuid: 'u-1', clusterId: 'CID-abc' });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'VERSION'), 'utf8'))).toEqual({ id: 'dn9', uuid: 'u-1', clusterId: 'CID-abc' });
    await dn.stop(false);
  });

  test.each([['not json', '{"id":'], ['not an object', '42'], ['an empty cluster id', '{"id":"dn1","uuid":"u","clusterId":""}']])(
    'a VERSION that is %s stops the DataNode and is left as it was', (_what, text) => {
      fs.writeFileSync(path.join(dir, 'VERSION'), text);
      let err: unknown;
      try {
        new DataNode(options(), silentLogger());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DfsError);
      expect((err as DfsError).message).toMatch(/VERSION is unreadable/);
      expect(fs.readFileSync(path.join(dir, 'VERSION'), 'utf8')).toBe(text);
    },
  );
});
