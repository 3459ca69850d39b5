/**
 * Namespace (pure): path normalisation, the write-once file lifecycle, listing, deletion, and the
 * persistence contract — a failed call changes nothing, the records each mutation returns replay
 * to the same state, and fromRecords(toRecords()) is the identity.
 */
import {
  DfsError,
  FileAlreadyExistsError,
  FileNotFoundError,
  InvalidArgumentError,
  InvalidPathError,
  Limits,
} from '@minidfs/common';
import {
  Namespace,
  NamespaceLimits,
  normalizePath,
  RecordKeys,
  type Mutation,
  type NamespaceRecord,
} from '@minidfs/namenode';

const T0 = 1_700_000_000_000;
const opts = (clientName = 'c1') => ({ replication: 3, blockSizeBytes: 1024, createParent: false, clientName });

/** Expects `fn` to throw a DfsError with `code` (and the given class, if any). */
function expectDfsError(fn: () => unknown, code: string, cls?: new (m: string) => DfsError): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(cls ?? DfsError);
  expect((thrown as DfsError).code).toBe(code);
}

/** A namespace plus the log of every record its mutations returned. */
function logged() {
  const ns = new Namespace();
  const log: NamespaceRecord[] = [];
  const run = <T>(m: Mutation<T>): T => {
    log.push(...m.records);
    return m.result;
  };
  return { ns, log, run };
}

/** Writes a complete file with `lengths` blocks. */
function writeFile(ns: Namespace, path: string, lengths: number[], clientName = 'c1', log?: NamespaceRecord[]) {
  const keep = <T>(m: Mutation<T>): T => {
    log?.push(...m.records);
    return m.result;
  };
  keep(ns.create(path, { ...opts(clientName), createParent: true }, T0));
  const ids = lengths.map(() => keep(ns.allocateBlock(path, clientName)).blockId);
  return keep(ns.complete(path, clientName, ids.map((blockId, i) => ({ blockId, lengthBytes: lengths[i]! })), T0 + 1));
}

describe('normalizePath', () => {
  test.each([
    ['/', '/'],
    ['//', '/'],
    ['/a', '/a'],
    ['/a/', '/a'],
    ['//a///b/', '/a/b'],
    ['/a b/ü/日本', '/a b/ü/日本'],
    ['/.hidden/a.b/...', '/.hidden/a.b/...'],
  ])('accepts %j -> %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });

  test.each([
    ['empty', ''],
    ['relative', 'a/b'],
    ['relative dot', './a'],
    ['dot component', '/a/./b'],
    ['dotdot component', '/a/../b'],
    ['dotdot escaping the root', '/a/../../x'],
    ['trailing dotdot', '/a/..'],
    ['NUL', '/a\0b'],
    ['newline', '/a\nb'],
    ['DEL', '/a\u007fb'],
    ['C1 control', '/a\u0085b'],
    ['unpaired surrogate', '/a\ud800b'],
    ['300-char component', `/${'x'.repeat(300)}`],
    ['5000-char path', `/${Array.from({ length: 50 }, () => 'y'.repeat(99)).join('/')}`],
    ['not a string', 42 as unknown as string],
  ])('rejects %s', (_name, input) => {
    expect(() => normalizePath(input)).toThrow(InvalidPathError);
  });

  test('the limits are inclusive', () => {
    const longestComponent = `/${'x'.repeat(Limits.maxPathComponentLength)}`;
    expect(normalizePath(longestComponent)).toBe(longestComponent);
    expect(() => normalizePath(`${longestComponent}x`)).toThrow(InvalidPathError);
    const atLimit = `/${'z'.repeat(Limits.maxPathLength - 1)}`.replace(/(z{200})/g, '$1/').slice(0, Limits.maxPathLength);
    expect(atLimit.length).toBe(Limits.maxPathLength);
    expect(normalizePath(atLimit)).toBe(atLimit.replace(/\/$/, ''));
    expect(() => normalizePath(`${atLimit}z`)).toThrow(InvalidPathError);
  });
});

describe('Namespace: directories', () => {
  test('a new namespace has only the root', () => {
    const ns = new Namespace();
    expect(ns.getFileInfo('/')).toMatchObject({ path: '/', isDirectory: true });
    expect(ns.listStatus('/')).toEqual([]);
    expect(ns.fileCount()).toBe(0);
    expect(ns.blockCount()).toBe(0);
  });

  test('mkdirs creates every missing component and touches the existing parent', () => {
    const ns = new Namespace();
    const m = ns.mkdirs('/a/b/c', T0);
    expect(m.result).toMatchObject({ path: '/a/b/c', isDirectory: true, modificationTimeMs: T0 });
    expect(m.records.map((r) => r.key).sort()).toEqual(['inode:/', 'inode:/a', 'inode:/a/b', 'inode:/a/b/c']);
    expect(ns.listStatus('/a').map((s) => s.path)).toEqual(['/a/b']);
    expect(ns.directoryCount()).toBe(4);
  });

  test('mkdirs on an existing directory succeeds and writes nothing', () => {
    const ns = new Namespace();
    ns.mkdirs('/a', T0);
    const m = ns.mkdirs('//a/', T0 + 5);
    expect(m.records).toEqual([]);
    expect(m.result.modificationTimeMs).toBe(T0);
  });

  test('mkdirs through or onto a file fails', () => {
    const ns = new Namespace();
    writeFile(ns, '/f', []);
    expectDfsError(() => ns.mkdirs('/f/sub', T0), 'NOT_A_DIRECTORY');
    expectDfsError(() => ns.mkdirs('/f', T0), 'FILE_ALREADY_EXISTS', FileAlreadyExistsError);
  });

  test('listStatus sorts by name; a file lists itself; missing is FileNotFound', () => {
    const ns = new Namespace();
    for (const name of ['zeta', 'alpha', 'Mid', 'beta']) ns.mkdirs(`/d/${name}`, T0);
    writeFile(ns, '/d/file', [10]);
    expect(ns.listStatus('/d').map((s) => s.path)).toEqual(['/d/Mid', '/d/alpha', '/d/beta', '/d/file', '/d/zeta']);
    expect(ns.listStatus('/d/file')).toEqual([ns.getFileInfo('/d/file')]);
    expect(() => ns.listStatus('/nope')).toThrow(FileNotFoundError);
    expect(() => ns.getFileInfo('/d/file/x')).toThrow(FileNotFoundError);
  });
});

describe('Namespace: write-once file lifecycle', () => {
  test('create -> allocate blocks -> complete; status, blocks and counters', () => {
    const ns = new Namespace();
    ns.mkdirs('/data', T0);
    const created = ns.create('/data/f', opts(), T0 + 1);
    expect(created.result).toEqual({
      path: '/data/f', isDirectory: false, lengthBytes: 0, replication: 3, blockSizeBytes: 1024, modificationTimeMs: T0 + 1, complete: false, blockCount: 0, fileId: 1,
    });
    expect(created.records.map((r) => r.key).sort()).toEqual([RecordKeys.fileIdCounter, 'inode:/data', 'inode:/data/f']);

    const b1 = ns.allocateBlock('/data/f', 'c1');
    expect(b1.result).toEqual({ blockId: 1, generationStamp: 1, lengthBytes: 0 });
    expect(b1.records.map((r) => r.key).sort()).toEqual([RecordKeys.blockIdCounter, RecordKeys.generationStampCounter, 'inode:/data/f']);
    const b2 = ns.allocateBlock('/data/f', 'c1').result;
    expect(ns.lastBlock('/data/f')).toEqual(b2);
    expect(ns.getFileInfo('/data/f')).toMatchObject({ complete: false, blockCount: 2, lengthBytes: 0 });

    const done = ns.complete('/data/f', 'c1', [{ blockId: 1, lengthBytes: 1024 }, { blockId: 2, lengthBytes: 100 }], T0 + 9);
    expect(done.result).toMatchObject({ complete: true, lengthBytes: 1124, blockCount: 2, modificationTimeMs: T0 + 9 });
    expect(ns.getBlocks('/data/f')).toEqual([
      { blockId: 1, generationStamp: 1, lengthBytes: 1024 },
      { blockId: 2, generationStamp: 2, lengthBytes: 100 },
    ]);
    expect(ns.fileOfBlock(2)?.path).toBe('/data/f');
    expect(ns.fileCount()).toBe(1);
    expect(ns.blockCount()).toBe(2);
    expect([...ns.allFiles()].map((f) => f.path)).toEqual(['/data/f']);
  });

  test('addBlock takes explicitly allocated ids only, never twice', () => {
    const ns = new Namespace();
    ns.create('/f', opts(), T0);
    ns.create('/g', opts(), T0);
    expectDfsError(() => ns.addBlock('/f', 'c1', { blockId: 1, generationStamp: 1 }), 'INVALID_ARGUMENT', InvalidArgumentError);
    const blockId = ns.nextBlockId().result;
    const generationStamp = ns.nextGenerationStamp().result;
    expect(ns.addBlock('/f', 'c1', { blockId, generationStamp }).result).toEqual({ blockId, generationStamp, lengthBytes: 0 });
    expectDfsError(() => ns.addBlock('/g', 'c1', { blockId, generationStamp }), 'INVALID_ARGUMENT', InvalidArgumentError);
    expectDfsError(() => ns.addBlock('/g', 'c1', { blockId: 0, generationStamp }), 'INVALID_ARGUMENT', InvalidArgumentError);
    expect(ns.nextBlockId().result).toBe(blockId + 1);
  });

  test('create validates its arguments', () => {
    const ns = new Namespace();
    const cases: Array<[string, Partial<ReturnType<typeof opts>>]> = [
      ['replication 0', { replication: 0 }],
      ['replication 33', { replication: NamespaceLimits.maxReplication + 1 }],
      ['replication 1.5', { replication: 1.5 }],
      ['block size 256', { blockSizeBytes: 256 }],
      ['block size not a multiple of 512', { blockSizeBytes: 1000 }],
      ['empty client name', { clientName: '' }],
      ['client name with NUL', { clientName: 'c\0' }],
    ];
    for (const [, bad] of cases) expect(() => ns.create('/f', { ...opts(), ...bad }, T0)).toThrow(InvalidArgumentError);
    expect(() => ns.create('/f', opts(), Number.NaN)).toThrow(InvalidArgumentError);
    expect(ns.create('/f', { ...opts(), replication: 1, blockSizeBytes: 512 }, T0).result.replication).toBe(1);
  });

  test('create: anything at the path, a missing parent, or a file parent is an error', () => {
    const ns = new Namespace();
    ns.mkdirs('/dir', T0);
    writeFile(ns, '/dir/f', [1]);
    expectDfsError(() => ns.create('/dir/f', opts(), T0), 'FILE_ALREADY_EXISTS', FileAlreadyExistsError);
    expectDfsError(() => ns.create('/dir', opts(), T0), 'FILE_ALREADY_EXISTS', FileAlreadyExistsError);
    expectDfsError(() => ns.create('/', opts(), T0), 'FILE_ALREADY_EXISTS', FileAlreadyExistsError);
    expectDfsError(() => ns.create('/missing/f', opts(), T0), 'FILE_NOT_FOUND', FileNotFoundError);
    expectDfsError(() => ns.create('/dir/f/g', { ...opts(), createParent: true }, T0), 'NOT_A_DIRECTORY');
    expect(ns.create('/missing/deep/f', { ...opts(), createParent: true }, T0).result.path).toBe('/missing/deep/f');
    expect(ns.getFileInfo('/missing/deep').isDirectory).toBe(true);
  });

  test('only the writer may add, abandon or complete; a completed file is immutable', () => {
    const ns = new Namespace();
    ns.create('/f', opts('writer'), T0);
    const b = ns.allocateBlock('/f', 'writer').result;
    expectDfsError(() => ns.allocateBlock('/f', 'intruder'), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.abandonBlock('/f', 'intruder', b.blockId), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.complete('/f', 'intruder', [{ blockId: b.blockId, lengthBytes: 1 }], T0), 'FILE_NOT_OPEN');

    ns.complete('/f', 'writer', [{ blockId: b.blockId, lengthBytes: 7 }], T0 + 1);
    expectDfsError(() => ns.allocateBlock('/f', 'writer'), 'FILE_NOT_OPEN');
    const id = ns.nextBlockId().result;
    expectDfsError(() => ns.addBlock('/f', 'writer', { blockId: id, generationStamp: 1 }), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.abandonBlock('/f', 'writer', b.blockId), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.complete('/f', 'writer', [{ blockId: b.blockId, lengthBytes: 8 }], T0 + 2), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.checkOpenForWrite('/f', 'writer'), 'FILE_NOT_OPEN');
    // A retried complete (lost response) with the same list is success and writes nothing.
    expect(ns.complete('/f', 'writer', [{ blockId: b.blockId, lengthBytes: 7 }], T0 + 3)).toMatchObject({ result: { complete: true, lengthBytes: 7 }, records: [] });
  });

  test('block operations on a directory or a missing path', () => {
    const ns = new Namespace();
    ns.mkdirs('/d', T0);
    expectDfsError(() => ns.allocateBlock('/d', 'c1'), 'IS_A_DIRECTORY');
    expectDfsError(() => ns.getBlocks('/d'), 'IS_A_DIRECTORY');
    expectDfsError(() => ns.complete('/d', 'c1', [], T0), 'IS_A_DIRECTORY');
    expectDfsError(() => ns.allocateBlock('/nope', 'c1'), 'FILE_NOT_FOUND', FileNotFoundError);
    expectDfsError(() => ns.lastBlock('/nope'), 'FILE_NOT_FOUND', FileNotFoundError);
  });

  test('complete checks the block list against the file', () => {
    const ns = new Namespace();
    ns.create('/f', opts(), T0);
    const a = ns.allocateBlock('/f', 'c1').result.blockId;
    const b = ns.allocateBlock('/f', 'c1').result.blockId;
    const bad: Array<Array<{ blockId: number; lengthBytes: number }>> = [
      [],
      [{ blockId: a, lengthBytes: 1024 }],
      [{ blockId: b, lengthBytes: 1024 }, { blockId: a, lengthBytes: 1 }],
      [{ blockId: a, lengthBytes: 1024 }, { blockId: b, lengthBytes: 1025 }],
      [{ blockId: a, lengthBytes: -1 }, { blockId: b, lengthBytes: 1 }],
      [{ blockId: a, lengthBytes: 1024 }, { blockId: b, lengthBytes: 1 }, { blockId: 99, lengthBytes: 1 }],
    ];
    for (const blocks of bad) expect(() => ns.complete('/f', 'c1', blocks, T0)).toThrow(InvalidArgumentError);
    expect(ns.getFileInfo('/f').complete).toBe(false);
    expect(ns.complete('/f', 'c1', [{ blockId: a, lengthBytes: 1024 }, { blockId: b, lengthBytes: 0 }], T0).result.lengthBytes).toBe(1024);
  });

  test('an empty file can be completed', () => {
    const ns = new Namespace();
    ns.create('/empty', opts(), T0);
    expect(ns.complete('/empty', 'c1', [], T0).result).toMatchObject({ complete: true, lengthBytes: 0, blockCount: 0 });
  });

  test('abandonBlock removes only the last block, and is idempotent', () => {
    const ns = new Namespace();
    ns.create('/f', opts(), T0);
    const a = ns.allocateBlock('/f', 'c1').result.blockId;
    const b = ns.allocateBlock('/f', 'c1').result.blockId;
    expectDfsError(() => ns.abandonBlock('/f', 'c1', a), 'INVALID_ARGUMENT', InvalidArgumentError);
    expect(ns.abandonBlock('/f', 'c1', b).result).toBe(true);
    expect(ns.abandonBlock('/f', 'c1', b)).toEqual({ result: false, records: [] });
    expect(ns.getBlocks('/f').map((x) => x.blockId)).toEqual([a]);
    expect(ns.fileOfBlock(b)).toBeUndefined();
    // The abandoned id is never handed out again.
    expect(ns.allocateBlock('/f', 'c1').result.blockId).toBe(b + 1);
  });
});

describe('Namespace: delete', () => {
  test('a file: its blocks are returned and forgotten', () => {
    const ns = new Namespace();
    writeFile(ns, '/d/f', [1024, 5]);
    const m = ns.delete('/d/f', false, T0 + 10);
    expect(m.result).toEqual({ deleted: true, removedBlockIds: [1, 2] });
    expect(m.records).toEqual(expect.arrayContaining([{ key: 'inode:/d/f', deleted: true }]));
    expect(ns.getFileInfo('/d').modificationTimeMs).toBe(T0 + 10);
    expect(ns.blockCount()).toBe(0);
    expect(ns.fileCount()).toBe(0);
  });

  test('a missing path is deleted:false and writes nothing', () => {
    const ns = new Namespace();
    expect(ns.delete('/nope', true, T0)).toEqual({ result: { deleted: false, removedBlockIds: [] }, records: [] });
  });

  test('non-empty directory needs recursive; recursive removes every key below', () => {
    const ns = new Namespace();
    writeFile(ns, '/top/a/f1', [3]);
    writeFile(ns, '/top/a/b/f2', [4, 0]);
    ns.mkdirs('/top/empty', T0);
    writeFile(ns, '/other', [9]);
    expectDfsError(() => ns.delete('/top', false, T0), 'DIRECTORY_NOT_EMPTY');
    expect(ns.delete('/top/empty', false, T0).result.deleted).toBe(true);

    const m = ns.delete('/top', true, T0 + 20);
    expect(m.result.deleted).toBe(true);
    expect(m.result.removedBlockIds.sort((x, y) => x - y)).toEqual([1, 2, 3]);
    const deletedKeys = m.records.filter((r) => 'deleted' in r).map((r) => r.key).sort();
    expect(deletedKeys).toEqual(['inode:/top', 'inode:/top/a', 'inode:/top/a/b', 'inode:/top/a/b/f2', 'inode:/top/a/f1']);
    expect(ns.listStatus('/').map((s) => s.path)).toEqual(['/other']);
    expect(ns.blockCount()).toBe(1);
    expect(ns.fileOfBlock(4)?.path).toBe('/other');
  });

  test('an open file can be deleted; the root cannot', () => {
    const ns = new Namespace();
    ns.create('/open', opts(), T0);
    const id = ns.allocateBlock('/open', 'c1').result.blockId;
    expect(ns.delete('/open', false, T0).result).toEqual({ deleted: true, removedBlockIds: [id] });
    expect(() => ns.delete('/', true, T0)).toThrow(InvalidArgumentError);
    expect(() => ns.delete('//', true, T0)).toThrow(InvalidArgumentError);
  });
});

describe('Namespace: persistence contract', () => {
  /** A namespace exercising every record kind, with the log of all records its mutations returned. */
  function populated() {
    const { ns, log, run } = logged();
    run(ns.mkdirs('/a/b', T0));
    writeFile(ns, '/a/b/f1', [1024, 1024, 10], 'c1', log);
    writeFile(ns, '/a/f2', [], 'c2', log);
    run(ns.create('/a/open', opts('c3'), T0 + 2));
    run(ns.allocateBlock('/a/open', 'c3'));
    const x = run(ns.allocateBlock('/a/open', 'c3'));
    run(ns.abandonBlock('/a/open', 'c3', x.blockId));
    writeFile(ns, '/gone/g', [5], 'c1', log);
    run(ns.delete('/gone', true, T0 + 3));
    run(ns.nextBlockId());
    run(ns.nextGenerationStamp());
    return { ns, log };
  }

  test('fromRecords(toRecords()) is the same namespace', () => {
    const { ns } = populated();
    const copy = Namespace.fromRecords(ns.toRecords());
    expect(copy.toRecords()).toEqual(ns.toRecords());
    expect(copy.listStatus('/a')).toEqual(ns.listStatus('/a'));
    expect(copy.getBlocks('/a/b/f1')).toEqual(ns.getBlocks('/a/b/f1'));
    expect([copy.fileCount(), copy.blockCount()]).toEqual([ns.fileCount(), ns.blockCount()]);
    // Counters survive: the next ids continue, never reuse.
    expect(copy.nextBlockId().result).toBe(ns.nextBlockId().result);
    expect(copy.nextGenerationStamp().result).toBe(ns.nextGenerationStamp().result);
  });

  test('replaying every mutation record in order rebuilds the same namespace', () => {
    const { ns, log } = populated();
    expect(Namespace.fromRecords(log).toRecords()).toEqual(ns.toRecords());
  });

  test('the open file stays writable by its client after a rebuild', () => {
    const { ns } = populated();
    const copy = Namespace.fromRecords(ns.toRecords());
    const b = copy.allocateBlock('/a/open', 'c3').result;
    expect(copy.fileOfBlock(b.blockId)?.path).toBe('/a/open');
    expectDfsError(() => copy.allocateBlock('/a/open', 'c1'), 'FILE_NOT_OPEN');
  });

  test('a failed call changes nothing', () => {
    const { ns } = populated();
    const before = JSON.stringify(ns.toRecords());
    const failing: Array<[string, () => unknown]> = [
      ['mkdirs through a file', () => ns.mkdirs('/a/b/f1/x/y', T0 + 50)],
      ['create existing', () => ns.create('/a/b/f1', opts(), T0 + 50)],
      ['create under a file with createParent', () => ns.create('/a/b/f1/z/w', { ...opts(), createParent: true }, T0 + 50)],
      ['create with bad replication', () => ns.create('/new/f', { ...opts(), replication: 0, createParent: true }, T0 + 50)],
      ['create without parent', () => ns.create('/new/f', opts(), T0 + 50)],
      ['allocateBlock on complete file', () => ns.allocateBlock('/a/b/f1', 'c1')],
      ['allocateBlock by the wrong client', () => ns.allocateBlock('/a/open', 'c1')],
      ['addBlock of an unallocated id', () => ns.addBlock('/a/open', 'c3', { blockId: 10_000, generationStamp: 1 })],
      ['addBlock of a used id', () => ns.addBlock('/a/open', 'c3', { blockId: 1, generationStamp: 1 })],
      ['abandon a non-last block', () => ns.abandonBlock('/a/b/f1', 'c1', 1)],
      ['complete with a wrong list', () => ns.complete('/a/open', 'c3', [], T0 + 50)],
      ['complete by the wrong client', () => ns.complete('/a/open', 'c1', [{ blockId: 4, lengthBytes: 1 }], T0 + 50)],
      ['delete non-empty without recursive', () => ns.delete('/a', false, T0 + 50)],
      ['delete root', () => ns.delete('/', true, T0 + 50)],
      ['delete with bad time', () => ns.delete('/a/f2', false, -1)],
      ['invalid path', () => ns.mkdirs('/a/../b', T0 + 50)],
    ];
    for (const [name, call] of failing) {
      expect({ name, threw: (() => { try { call(); return false; } catch (err) { return err instanceof DfsError; } })() }).toEqual({ name, threw: true });
      expect({ name, state: JSON.stringify(ns.toRecords()) }).toEqual({ name, state: before });
    }
  });

  test('fromRecords rebuilds counters from blocks if a counter record is missing', () => {
    const { ns } = populated();
    const withoutCounters = ns.toRecords().filter((r) => !r.key.startsWith('counter:'));
    const copy = Namespace.fromRecords(withoutCounters);
    const maxUsed = Math.max(...[...ns.allFiles()].flatMap((f) => f.file.blocks.map((b) => b.blockId)));
    expect(copy.nextBlockId().result).toBeGreaterThan(maxUsed);
  });

  test('fromRecords ignores foreign keys and rejects untrustworthy records', () => {
    const file = { type: 'file', replication: 1, blockSizeBytes: 512, modificationTimeMs: 0, complete: true, clientName: 'c', blocks: [] };
    expect(Namespace.fromRecords([{ key: 'datanode:dn1', value: { anything: true } }]).toRecords()).toEqual(new Namespace().toRecords());
    const bad: Array<Array<{ key: string; value: unknown }>> = [
      [{ key: 'inode:/orphan/f', value: file }],
      [{ key: 'inode:/', value: file }],
      [{ key: 'inode:/a//b', value: { type: 'directory', modificationTimeMs: 0 } }],
      [{ key: 'inode:/f', value: { ...file, replication: 'three' } }],
      [{ key: 'inode:/f', value: { type: 'symlink', modificationTimeMs: 0 } }],
      [{ key: 'counter:blockId', value: { type: 'counter', value: -1 } }],
      [
        { key: 'inode:/f', value: { ...file, blocks: [{ blockId: 1, generationStamp: 1, lengthBytes: 0 }] } },
        { key: 'inode:/g', value: { ...file, blocks: [{ blockId: 1, generationStamp: 1, lengthBytes: 0 }] } },
      ],
    ];
    for (const records of bad) expectDfsError(() => Namespace.fromRecords(records), 'INTERNAL');
  });
});

describe('Namespace: file ids and deletes on a writer\'s behalf', () => {
  test('every file gets a new id, never reused after a delete, and kept across a rebuild', () => {
    const ns = new Namespace();
    const a = ns.create('/a', opts(), T0).result.fileId;
    const b = ns.create('/b', opts(), T0).result.fileId;
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    ns.delete('/a', false, T0);
    const again = ns.create('/a', opts(), T0).result.fileId;
    expect(again).toBeGreaterThan(b);
    const copy = Namespace.fromRecords(ns.toRecords());
    expect(copy.getFileInfo('/a').fileId).toBe(again);
    expect(copy.create('/c', opts(), T0).result.fileId).toBeGreaterThan(again);
    // Without the counter record the next id still comes after every id in use.
    const noCounter = Namespace.fromRecords(ns.toRecords().filter((r) => r.key !== RecordKeys.fileIdCounter));
    expect(noCounter.create('/c', opts(), T0).result.fileId).toBeGreaterThan(again);
    expect(ns.getFileInfo('/').fileId).toBe(0);
  });

  test('a file stored before ids were kept loads with id 0; duplicate ids are corrupt', () => {
    const legacy = { type: 'file', replication: 1, blockSizeBytes: 512, modificationTimeMs: 0, complete: true, clientName: 'c', blocks: [] };
    expect(Namespace.fromRecords([{ key: 'inode:/old', value: legacy }]).getFileInfo('/old').fileId).toBe(0);
    expectDfsError(() => Namespace.fromRecords([
      { key: 'inode:/f', value: { ...legacy, fileId: 7 } }, { key: 'inode:/g', value: { ...legacy, fileId: 7 } },
    ]), 'INTERNAL');
    expectDfsError(() => Namespace.fromRecords([{ key: 'inode:/f', value: { ...legacy, fileId: -1 } }]), 'INTERNAL');
  });

  test('the writer\'s delete removes its own open file', () => {
    const ns = new Namespace();
    const { fileId } = ns.create('/f', opts('w1'), T0).result;
    ns.allocateBlock('/f', 'w1');
    const del = ns.delete('/f', false, T0, { clientName: 'w1', fileId });
    expect(del.result).toEqual({ deleted: true, removedBlockIds: [1] });
    expect(ns.delete('/f', false, T0, { clientName: 'w1', fileId }).result.deleted).toBe(false);
  });

  test('refused, changing nothing: another writer\'s file at the same path, a replaced file, a completed file, a directory', () => {
    const ns = new Namespace();
    const first = ns.create('/f', opts('w1'), T0).result.fileId;
    ns.delete('/f', false, T0);
    const second = ns.create('/f', opts('w2'), T0).result.fileId; // writer B at the same path
    const before = JSON.stringify(ns.toRecords());
    expectDfsError(() => ns.delete('/f', false, T0, { clientName: 'w1', fileId: first }), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.delete('/f', false, T0, { clientName: 'w1', fileId: 0 }), 'FILE_NOT_OPEN');
    // Same client, but a new file: the old writer's id no longer matches.
    ns.delete('/f', false, T0);
    ns.create('/f', opts('w1'), T0);
    const mid = JSON.stringify(ns.toRecords());
    expectDfsError(() => ns.delete('/f', false, T0, { clientName: 'w1', fileId: first }), 'FILE_NOT_OPEN');
    expect(JSON.stringify(ns.toRecords())).toBe(mid);
    expect(before).not.toBe(mid);
    // Completed by its writer: no longer open.
    const g = ns.create('/g', opts('w1'), T0).result.fileId;
    ns.complete('/g', 'w1', [], T0);
    expectDfsError(() => ns.delete('/g', false, T0, { clientName: 'w1', fileId: g }), 'FILE_NOT_OPEN');
    ns.mkdirs('/d', T0);
    expectDfsError(() => ns.delete('/d', false, T0, { clientName: 'w1', fileId: 0 }), 'FILE_NOT_OPEN');
    expect(ns.getFileInfo('/g').complete).toBe(true);
    expect(second).toBeGreaterThan(first);
    expectDfsError(() => ns.delete('/g', false, T0, { clientName: '', fileId: g }), 'INVALID_ARGUMENT');
  });

  test('checkCommit: only the writer, only a block of the file, at most a block long; changes nothing', () => {
    const ns = new Namespace();
    ns.create('/f', opts('w1'), T0);
    ns.allocateBlock('/f', 'w1');
    ns.allocateBlock('/f', 'w1');
    const before = JSON.stringify(ns.toRecords());
    ns.checkCommit('/f', 'w1', { blockId: 1, lengthBytes: 1024 });
    ns.checkCommit('/f', 'w1', { blockId: 2, lengthBytes: 0 });
    expectDfsError(() => ns.checkCommit('/f', 'w2', { blockId: 1, lengthBytes: 10 }), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.checkCommit('/f', 'w1', { blockId: 3, lengthBytes: 10 }), 'INVALID_ARGUMENT');
    expectDfsError(() => ns.checkCommit('/f', 'w1', { blockId: 1, lengthBytes: 1025 }), 'INVALID_ARGUMENT');
    expectDfsError(() => ns.checkCommit('/f', 'w1', { blockId: 1, lengthBytes: -1 }), 'INVALID_ARGUMENT');
    expect(JSON.stringify(ns.toRecords())).toBe(before);
  });

  test('completionStatus validates like complete and changes nothing; a retry after success is alreadyComplete', () => {
    const ns = new Namespace();
    ns.create('/f', opts('w1'), T0);
    ns.allocateBlock('/f', 'w1');
    const before = JSON.stringify(ns.toRecords());
    expect(ns.completionStatus('/f', 'w1', [{ blockId: 1, lengthBytes: 10 }]).alreadyComplete).toBe(false);
    expectDfsError(() => ns.completionStatus('/f', 'w2', [{ blockId: 1, lengthBytes: 10 }]), 'FILE_NOT_OPEN');
    expectDfsError(() => ns.completionStatus('/f', 'w1', [{ blockId: 1, lengthBytes: 2048 }]), 'INVALID_ARGUMENT');
    expect(JSON.stringify(ns.toRecords())).toBe(before);
    ns.complete('/f', 'w1', [{ blockId: 1, lengthBytes: 10 }], T0);
    expect(ns.completionStatus('/f', 'w1', [{ blockId: 1, lengthBytes: 10 }]).alreadyComplete).toBe(true);
  });
});

describe('Namespace: setReplication', () => {
  test('persists the new factor (replayed records give the same file), returns the block ids; unchanged = no records', () => {
    const { ns, log, run } = logged();
    writeFile(ns, '/f', [1024, 10], 'c1', log);
    const set = ns.setReplication('/f', 1, T0 + 5);
    run(set);
    expect(set.result.status).toMatchObject({ path: '/f', replication: 1 });
    expect(set.result.blockIds).toEqual(ns.getBlocks('/f').map((b) => b.blockId));
    expect(Namespace.fromRecords(log).getFileInfo('/f').replication).toBe(1);
    expect(ns.setReplication('/f', 1, T0 + 6).records).toEqual([]);
  });

  test('bad input is refused and changes nothing', () => {
    const ns = new Namespace();
    writeFile(ns, '/f', [10]);
    ns.mkdirs('/d', T0);
    expectDfsError(() => ns.setReplication('/f', 0, T0), 'INVALID_ARGUMENT');
    expectDfsError(() => ns.setReplication('/f', 33, T0), 'INVALID_ARGUMENT');
    expectDfsError(() => ns.setReplication('/missing', 2, T0), 'FILE_NOT_FOUND');
    expect(() => ns.setReplication('/d', 2, T0)).toThrow(DfsError);
    expect(ns.getFileInfo('/f').replication).toBe(3);
  });
});
