/**
 * Namespace: the NameNode's directory tree (HDFS semantics), pure — no I/O, no timers, no clock;
 * time arrives as `nowMs`.
 *
 * State is a flat map of absolute paths to immutable inode records plus two counters (last block
 * id, last generation stamp). Every mutating method validates everything first, then changes
 * state, and returns `{ result, records }`: the persistence records (`inode:<path>`,
 * `counter:<name>`, or a deletion) the adapter must write as ONE atomic batch before it answers
 * the caller. `Namespace.fromRecords(store contents)` rebuilds exactly the same state, and
 * `toRecords()` is the inverse. A call that throws has changed nothing.
 *
 * Invariants: the root '/' always exists and is a directory; every inode's parent is a directory;
 * a block id belongs to at most one file; block ids and generation stamps only grow and are never
 * handed out twice, across restarts too (the counters are persisted; `fromRecords` also raises
 * them to the largest id seen). Files are write-once: created open (complete=false) by one
 * clientName, which alone may add/abandon blocks and complete it; after that it is immutable.
 * Every file gets a file id (HDFS inode id) from a third persisted counter: unique, never reused,
 * so "the file this writer created" can be told from a later file at the same path.
 */
import {
  DfsError,
  FileAlreadyExistsError,
  FileNotFoundError,
  InvalidArgumentError,
  InvalidPathError,
  Limits,
} from '@minidfs/common';

/**
 * Throws InvalidArgumentError unless `bytes` is a usable block size: an integer multiple of the
 * checksum chunk (Limits.bytesPerChecksum) in NamespaceLimits.minBlockSizeBytes..maxBlockSizeBytes.
 * Create applies the same rule to a file's block size; the NameNode to its default at start.
 */
export function validateBlockSize(bytes: number, what = 'block size'): number {
  if (!isIntegerIn(bytes, NamespaceLimits.minBlockSizeBytes, NamespaceLimits.maxBlockSizeBytes) || bytes % NamespaceLimits.blockSizeMultipleBytes !== 0) {
    throw new InvalidArgumentError(
      `${what} must be a multiple of ${NamespaceLimits.blockSizeMultipleBytes} bytes (the checksum chunk) between ` +
        `${NamespaceLimits.minBlockSizeBytes} and ${NamespaceLimits.maxBlockSizeBytes} (NamespaceLimits.minBlockSizeBytes..maxBlockSizeBytes), got ${String(bytes)}`,
    );
  }
  return bytes;
}

/** Encoded size of a FileStatus besides its path (numbers, flags, framing), for listing pages. */
const LISTING_ENTRY_OVERHEAD_BYTES = 64;

/** Limits of the namespace, named once here (HDFS equivalents in brackets). */
export const NamespaceLimits = {
  minReplication: 1,
  maxReplication: 32,
  /** Block sizes are a multiple of the checksum chunk [dfs.bytes-per-checksum]. */
  blockSizeMultipleBytes: Limits.bytesPerChecksum,
  minBlockSizeBytes: Limits.bytesPerChecksum,
  /** [dfs.namenode.fs-limits.max-block-size = 32 GiB] */
  maxBlockSizeBytes: 32 * 1024 * 1024 * 1024,
  /** [dfs.namenode.fs-limits.max-blocks-per-file] */
  maxBlocksPerFile: 10_000,
  maxClientNameLength: 256,
} as const;

/** Persistence keys: flat strings. */
export const RecordKeys = {
  inodePrefix: 'inode:',
  blockIdCounter: 'counter:blockId',
  generationStampCounter: 'counter:generationStamp',
  fileIdCounter: 'counter:fileId',
  inode(path: string): string {
    return `inode:${path}`;
  },
} as const;

export interface Block {
  readonly blockId: number;
  readonly generationStamp: number;
  /** 0 until the file is completed with the block's final length. */
  readonly lengthBytes: number;
}

export interface DirectoryRecord {
  readonly type: 'directory';
  readonly modificationTimeMs: number;
}

export interface FileRecord {
  readonly type: 'file';
  readonly replication: number;
  readonly blockSizeBytes: number;
  readonly modificationTimeMs: number;
  /** False while open for write. */
  readonly complete: boolean;
  /** The writer; only it may add/abandon blocks and complete the file. Kept after completion. */
  readonly clientName: string;
  /** Unique and never reused (HDFS inode id); 0 = a file stored before ids were kept. */
  readonly fileId: number;
  readonly blocks: readonly Block[];
}

export type InodeRecord = DirectoryRecord | FileRecord;

export interface CounterRecord {
  readonly type: 'counter';
  /** The last value handed out (0 = none yet). */
  readonly value: number;
}

export type NamespaceRecord =
  | { readonly key: string; readonly value: InodeRecord | CounterRecord }
  | { readonly key: string; readonly deleted: true };

/** What `fromRecords` accepts: store contents (values not yet trusted) or a replayed record log. */
export type StoredRecord = { readonly key: string; readonly value: unknown } | { readonly key: string; readonly deleted: true };

/** A mutation's answer plus the records to persist atomically before acknowledging it. */
export interface Mutation<T> {
  readonly result: T;
  readonly records: NamespaceRecord[];
}

export interface FileStatus {
  path: string;
  isDirectory: boolean;
  lengthBytes: number;
  replication: number;
  blockSizeBytes: number;
  modificationTimeMs: number;
  complete: boolean;
  blockCount: number;
  /** The file's id (FileRecord.fileId); 0 for directories. */
  fileId: number;
}

export interface CreateOptions {
  replication: number;
  blockSizeBytes: number;
  /** Create missing ancestor directories (default false). */
  createParent?: boolean;
  clientName: string;
}

/**
 * A delete on a writer's behalf (a failed write's cleanup): it removes the file only while that
 * writer still holds it — the path names a file that is still open, by `clientName`, and (when
 * `fileId` is not 0) is the same file it created. Anything else is refused with FILE_NOT_OPEN and
 * nothing changes; a missing path is deleted=false, like an ordinary delete.
 */
export interface WriterDeleteCondition {
  clientName: string;
  fileId: number;
}

export interface DeleteResult {
  deleted: boolean;
  /** Blocks of every removed file: their replicas are now garbage. */
  removedBlockIds: number[];
}

const controlCharacter = /\p{Cc}/u;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Canonical absolute path: collapses repeated '/', drops a trailing '/'. Rejects (InvalidPathError)
 * non-strings, relative paths, '.' and '..' components (never resolved), control characters,
 * unpaired surrogates (they would not survive UTF-8), components longer than
 * Limits.maxPathComponentLength and input longer than Limits.maxPathLength (UTF-16 code units).
 */
export function normalizePath(p: string): string {
  if (typeof p !== 'string') throw new InvalidPathError('path must be a string');
  if (p.length === 0) throw new InvalidPathError('path is empty');
  if (p.length > Limits.maxPathLength) throw new InvalidPathError(`path longer than ${Limits.maxPathLength} characters`);
  if (p[0] !== '/') throw new InvalidPathError(`path is not absolute: ${JSON.stringify(p)}`);
  if (controlCharacter.test(p)) throw new InvalidPathError(`path contains a control character: ${JSON.stringify(p)}`);
  if (loneSurrogate.test(p)) throw new InvalidPathError('path contains an unpaired surrogate');
  const components = p.split('/').filter((c) => c.length > 0);
  for (const c of components) {
    if (c === '.' || c === '..') throw new InvalidPathError(`path contains a '${c}' component: ${JSON.stringify(p)}`);
    if (c.length > Limits.maxPathComponentLength) {
      throw new InvalidPathError(`path component longer than ${Limits.maxPathComponentLength} characters`);
    }
  }
  return `/${components.join('/')}`;
}

function normalizePathOrUndefined(path: string): string | undefined {
  try {
    return normalizePath(path);
  } catch {
    return undefined;
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** '/a/b/c' -> ['/a', '/a/b'] (proper ancestors below the root, outermost first). */
function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/', 1); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

function checkTime(nowMs: number): number {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0 || nowMs > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError(`nowMs must be a non-negative finite number, got ${String(nowMs)}`);
  }
  return Math.floor(nowMs);
}

function checkClientName(clientName: string): void {
  if (typeof clientName !== 'string' || clientName.length === 0) throw new InvalidArgumentError('clientName is required');
  if (clientName.length > NamespaceLimits.maxClientNameLength) {
    throw new InvalidArgumentError(`clientName longer than ${NamespaceLimits.maxClientNameLength} characters`);
  }
  if (controlCharacter.test(clientName)) throw new InvalidArgumentError('clientName contains a control character');
}

function isIntegerIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

function checkId(what: string, v: unknown): number {
  if (!isIntegerIn(v, 1, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`${what} must be a positive integer, got ${String(v)}`);
  return v;
}

function sameBlockList(a: readonly Block[], b: ReadonlyArray<{ blockId: number; lengthBytes: number }>): boolean {
  return a.length === b.length && a.every((x, i) => x.blockId === b[i]!.blockId && x.lengthBytes === b[i]!.lengthBytes);
}

function fileRecord(fields: Omit<FileRecord, 'type'>): FileRecord {
  return Object.freeze({
    type: 'file',
    replication: fields.replication,
    blockSizeBytes: fields.blockSizeBytes,
    modificationTimeMs: fields.modificationTimeMs,
    complete: fields.complete,
    clientName: fields.clientName,
    fileId: fields.fileId,
    blocks: Object.freeze(fields.blocks.map((b) => Object.freeze({ blockId: b.blockId, generationStamp: b.generationStamp, lengthBytes: b.lengthBytes }))),
  });
}

function directoryRecord(modificationTimeMs: number): DirectoryRecord {
  return Object.freeze({ type: 'directory', modificationTimeMs });
}

function counterRecord(value: number): CounterRecord {
  return Object.freeze({ type: 'counter', value });
}

function lengthOf(file: FileRecord): number {
  let total = 0;
  for (const b of file.blocks) total += b.lengthBytes;
  return total;
}

function statusOf(path: string, inode: InodeRecord): FileStatus {
  if (inode.type === 'directory') {
    return { path, isDirectory: true, lengthBytes: 0, replication: 0, blockSizeBytes: 0, modificationTimeMs: inode.modificationTimeMs, complete: true, blockCount: 0, fileId: 0 };
  }
  return {
    path,
    isDirectory: false,
    lengthBytes: lengthOf(inode),
    replication: inode.replication,
    blockSizeBytes: inode.blockSizeBytes,
    modificationTimeMs: inode.modificationTimeMs,
    complete: inode.complete,
    blockCount: inode.blocks.length,
    fileId: inode.fileId,
  };
}

function corrupt(key: string, why: string): DfsError {
  return new DfsError('INTERNAL', `corrupt namespace record ${JSON.stringify(key)}: ${why}`);
}

/** Validates a stored value; returns a fresh record with exactly the known fields. */
function parseInode(key: string, value: unknown): InodeRecord {
  if (typeof value !== 'object' || value === null) throw corrupt(key, 'not an object');
  const v = value as Record<string, unknown>;
  if (!isIntegerIn(v['modificationTimeMs'], 0, Number.MAX_SAFE_INTEGER)) throw corrupt(key, 'bad modificationTimeMs');
  if (v['type'] === 'directory') return directoryRecord(v['modificationTimeMs']);
  if (v['type'] !== 'file') throw corrupt(key, `unknown type ${String(v['type'])}`);
  const { replication, blockSizeBytes, complete, clientName, blocks } = v;
  const fileId = v['fileId'] ?? 0;
  if (!isIntegerIn(fileId, 0, Number.MAX_SAFE_INTEGER)) throw corrupt(key, 'bad fileId');
  if (!isIntegerIn(replication, NamespaceLimits.minReplication, NamespaceLimits.maxReplication)) throw corrupt(key, 'bad replication');
  if (!isIntegerIn(blockSizeBytes, 1, Number.MAX_SAFE_INTEGER)) throw corrupt(key, 'bad blockSizeBytes');
  if (typeof complete !== 'boolean') throw corrupt(key, 'bad complete');
  if (typeof clientName !== 'string') throw corrupt(key, 'bad clientName');
  if (!Array.isArray(blocks)) throw corrupt(key, 'bad blocks');
  const parsed = blocks.map((b: unknown): Block => {
    const o = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
    const { blockId, generationStamp, lengthBytes } = o;
    if (!isIntegerIn(blockId, 1, Number.MAX_SAFE_INTEGER) || !isIntegerIn(generationStamp, 1, Number.MAX_SAFE_INTEGER) || !isIntegerIn(lengthBytes, 0, blockSizeBytes)) {
      throw corrupt(key, `bad block ${JSON.stringify(b)}`);
    }
    return { blockId, generationStamp, lengthBytes };
  });
  return fileRecord({ replication, blockSizeBytes, modificationTimeMs: v['modificationTimeMs'], complete, clientName, fileId, blocks: parsed });
}

function parseCounter(key: string, value: unknown): number {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (v['type'] !== 'counter' || !isIntegerIn(v['value'], 0, Number.MAX_SAFE_INTEGER)) throw corrupt(key, 'bad counter');
  return v['value'];
}

/** The records one mutation changed; the last write to a key wins. */
class ChangeSet {
  private readonly byKey = new Map<string, NamespaceRecord>();
  put(key: string, value: InodeRecord | CounterRecord): void {
    this.byKey.set(key, { key, value });
  }
  delete(key: string): void {
    this.byKey.set(key, { key, deleted: true });
  }
  list(): NamespaceRecord[] {
    return [...this.byKey.values()];
  }
}

export class Namespace {
  private readonly directories = new Map<string, DirectoryRecord>([['/', directoryRecord(0)]]);
  private readonly files = new Map<string, FileRecord>();
  /** Directory path -> names of its children. Every directory has an entry. */
  private readonly children = new Map<string, Set<string>>([['/', new Set()]]);
  /** Block id -> path of the file that holds it. */
  private readonly blockOwners = new Map<number, string>();
  private lastBlockId = 0;
  private lastGenerationStamp = 0;
  private lastFileId = 0;

  /**
   * Rebuilds a namespace from store contents (any order) or from a log of mutation records
   * (applied in order: later records win, deletions remove). Keys outside `inode:` and the two
   * counters are ignored (other state may share the store). Throws DfsError('INTERNAL') on a
   * record that cannot be trusted: bad shape, orphan inode, duplicate block id.
   */
  static fromRecords(records: Iterable<StoredRecord>): Namespace {
    const latest = new Map<string, unknown>();
    for (const r of records) {
      if ('deleted' in r && r.deleted === true) latest.delete(r.key);
      else latest.set(r.key, (r as { value: unknown }).value);
    }
    const ns = new Namespace();
    let blockIdCounter = 0;
    let generationStampCounter = 0;
    let fileIdCounter = 0;
    for (const [key, value] of latest) {
      if (key === RecordKeys.blockIdCounter) blockIdCounter = parseCounter(key, value);
      else if (key === RecordKeys.generationStampCounter) generationStampCounter = parseCounter(key, value);
      else if (key === RecordKeys.fileIdCounter) fileIdCounter = parseCounter(key, value);
      else if (key.startsWith(RecordKeys.inodePrefix)) {
        const path = key.slice(RecordKeys.inodePrefix.length);
        let normalized: string;
        try {
          normalized = normalizePath(path);
        } catch {
          throw corrupt(key, 'invalid path');
        }
        if (normalized !== path) throw corrupt(key, 'path not in canonical form');
        const inode = parseInode(key, value);
        if (inode.type === 'directory') {
          ns.directories.set(path, inode);
          ns.children.set(path, ns.children.get(path) ?? new Set());
        } else {
          if (path === '/') throw corrupt(key, 'the root must be a directory');
          ns.files.set(path, inode);
        }
      }
    }
    const link = (path: string): void => {
      if (path === '/') return;
      const siblings = ns.children.get(parentOf(path));
      if (!siblings) throw corrupt(RecordKeys.inode(path), 'parent directory missing');
      siblings.add(nameOf(path));
    };
    for (const path of ns.directories.keys()) link(path);
    let maxBlockId = 0;
    let maxGenerationStamp = 0;
    let maxFileId = 0;
    const fileIds = new Map<number, string>();
    for (const [path, file] of ns.files) {
      link(path);
      if (file.fileId !== 0) {
        if (fileIds.has(file.fileId)) throw corrupt(RecordKeys.inode(path), `file id ${file.fileId} also belongs to ${fileIds.get(file.fileId)}`);
        fileIds.set(file.fileId, path);
        maxFileId = Math.max(maxFileId, file.fileId);
      }
      for (const b of file.blocks) {
        if (ns.blockOwners.has(b.blockId)) throw corrupt(RecordKeys.inode(path), `block ${b.blockId} also belongs to ${ns.blockOwners.get(b.blockId)}`);
        ns.blockOwners.set(b.blockId, path);
        maxBlockId = Math.max(maxBlockId, b.blockId);
        maxGenerationStamp = Math.max(maxGenerationStamp, b.generationStamp);
      }
    }
    // Never hand out an id that is already in use, even if a counter record was lost.
    ns.lastBlockId = Math.max(blockIdCounter, maxBlockId);
    ns.lastGenerationStamp = Math.max(generationStampCounter, maxGenerationStamp);
    ns.lastFileId = Math.max(fileIdCounter, maxFileId);
    return ns;
  }

  /**
   * Applies another NameNode's committed records in place (an HA standby tailing the active's
   * edits; one call per committed mutation). Same checks as fromRecords. Returns, per changed
   * file path, its file before and after (undefined = absent), so the caller can update its
   * block map. Counters only move up.
   */
  applyRecords(records: readonly StoredRecord[]): Map<string, { before: FileRecord | undefined; after: FileRecord | undefined }> {
    const changed = new Map<string, { before: FileRecord | undefined; after: FileRecord | undefined }>();
    const linkLater: string[] = [];
    for (const r of records) {
      const deleted = 'deleted' in r && r.deleted === true;
      const value = deleted ? undefined : (r as { value: unknown }).value;
      if (r.key === RecordKeys.blockIdCounter) { if (!deleted) this.lastBlockId = Math.max(this.lastBlockId, parseCounter(r.key, value)); continue; }
      if (r.key === RecordKeys.generationStampCounter) { if (!deleted) this.lastGenerationStamp = Math.max(this.lastGenerationStamp, parseCounter(r.key, value)); continue; }
      if (r.key === RecordKeys.fileIdCounter) { if (!deleted) this.lastFileId = Math.max(this.lastFileId, parseCounter(r.key, value)); continue; }
      if (!r.key.startsWith(RecordKeys.inodePrefix)) continue;
      const path = r.key.slice(RecordKeys.inodePrefix.length);
      if (normalizePathOrUndefined(path) !== path) throw corrupt(r.key, 'invalid path');
      if (path === '/') {
        if (deleted) throw corrupt(r.key, 'the root cannot be deleted');
        const root = parseInode(r.key, value);
        if (root.type !== 'directory') throw corrupt(r.key, 'the root must be a directory');
        this.directories.set('/', root);
        continue;
      }
      const oldFile = this.files.get(path);
      if (!changed.has(path)) changed.set(path, { before: oldFile, after: undefined });
      // Remove what was there.
      if (oldFile) {
        for (const b of oldFile.blocks) if (this.blockOwners.get(b.blockId) === path) this.blockOwners.delete(b.blockId);
        this.files.delete(path);
      }
      if (this.directories.has(path) && (deleted || parseInode(r.key, value).type !== 'directory')) {
        this.directories.delete(path);
        this.children.delete(path);
      }
      if (deleted) {
        this.children.get(parentOf(path))?.delete(nameOf(path));
        continue;
      }
      const inode = parseInode(r.key, value);
      if (inode.type === 'directory') {
        this.directories.set(path, inode);
        if (!this.children.has(path)) this.children.set(path, new Set());
      } else {
        for (const b of inode.blocks) {
          const owner = this.blockOwners.get(b.blockId);
          if (owner !== undefined && owner !== path) throw corrupt(r.key, `block ${b.blockId} also belongs to ${owner}`);
          this.blockOwners.set(b.blockId, path);
          this.lastBlockId = Math.max(this.lastBlockId, b.blockId);
          this.lastGenerationStamp = Math.max(this.lastGenerationStamp, b.generationStamp);
        }
        this.files.set(path, inode);
        this.lastFileId = Math.max(this.lastFileId, inode.fileId);
      }
      linkLater.push(path);
    }
    // Link after the whole mutation: its records may name a child before its parent.
    for (const path of linkLater) {
      if (!this.directories.has(path) && !this.files.has(path)) continue;
      const siblings = this.children.get(parentOf(path));
      if (!siblings) throw corrupt(RecordKeys.inode(path), 'parent directory missing');
      siblings.add(nameOf(path));
    }
    for (const [path, c] of changed) c.after = this.files.get(path);
    return changed;
  }

  /** The whole state as records, sorted by key; `fromRecords(toRecords())` is an identical namespace. */
  toRecords(): NamespaceRecord[] {
    const out: NamespaceRecord[] = [
      { key: RecordKeys.blockIdCounter, value: counterRecord(this.lastBlockId) },
      { key: RecordKeys.generationStampCounter, value: counterRecord(this.lastGenerationStamp) },
    ];
    if (this.lastFileId > 0) out.push({ key: RecordKeys.fileIdCounter, value: counterRecord(this.lastFileId) });
    for (const [path, dir] of this.directories) out.push({ key: RecordKeys.inode(path), value: dir });
    for (const [path, file] of this.files) out.push({ key: RecordKeys.inode(path), value: file });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  // ---------------------------------------------------------------- mutations

  /** mkdir -p. An existing directory is success with no records; a file on the way is an error. */
  mkdirs(path: string, nowMs: number): Mutation<FileStatus> {
    const p = normalizePath(path);
    const now = checkTime(nowMs);
    const existing = this.directories.get(p);
    if (existing) return { result: statusOf(p, existing), records: [] };
    if (this.files.has(p)) throw new FileAlreadyExistsError(`a file exists at ${p}`);
    const missing = this.missingAncestors(p);
    const changes = new ChangeSet();
    this.createDirectories([...missing, p], now, changes);
    return { result: statusOf(p, this.directories.get(p)!), records: changes.list() };
  }

  /** Creates an empty file open for write by `clientName`. Write-once: anything at `path` is an error. */
  create(path: string, options: CreateOptions, nowMs: number): Mutation<FileStatus> {
    const p = normalizePath(path);
    const now = checkTime(nowMs);
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('create options are required');
    const { replication, blockSizeBytes, createParent = false, clientName } = options;
    if (!isIntegerIn(replication, NamespaceLimits.minReplication, NamespaceLimits.maxReplication)) {
      throw new InvalidArgumentError(`replication must be an integer in ${NamespaceLimits.minReplication}..${NamespaceLimits.maxReplication}, got ${String(replication)}`);
    }
    if (!isIntegerIn(blockSizeBytes, NamespaceLimits.minBlockSizeBytes, NamespaceLimits.maxBlockSizeBytes) || blockSizeBytes % NamespaceLimits.blockSizeMultipleBytes !== 0) {
      throw new InvalidArgumentError(
        `blockSizeBytes must be a multiple of ${NamespaceLimits.blockSizeMultipleBytes} in ${NamespaceLimits.minBlockSizeBytes}..${NamespaceLimits.maxBlockSizeBytes}, got ${String(blockSizeBytes)}`,
      );
    }
    if (typeof createParent !== 'boolean') throw new InvalidArgumentError('createParent must be a boolean');
    checkClientName(clientName);
    const existing = this.files.get(p);
    if (existing && !existing.complete && existing.clientName === clientName && existing.blocks.length === 0
      && existing.replication === replication && existing.blockSizeBytes === blockSizeBytes) {
      // A retried Create (its answer was lost, e.g. in a NameNode failover): the same file, nothing changed.
      return { result: statusOf(p, existing), records: [] };
    }
    if (this.directories.has(p) || this.files.has(p)) throw new FileAlreadyExistsError(`${p} already exists`);
    const missing = this.missingAncestors(p);
    if (missing.length > 0 && !createParent) throw new FileNotFoundError(`parent directory ${parentOf(p)} does not exist`);
    if (this.lastFileId >= Number.MAX_SAFE_INTEGER) throw new DfsError('RESOURCE_EXHAUSTED', 'file ids exhausted');

    const changes = new ChangeSet();
    this.createDirectories(missing, now, changes);
    this.lastFileId += 1;
    changes.put(RecordKeys.fileIdCounter, counterRecord(this.lastFileId));
    const file = fileRecord({ replication, blockSizeBytes, modificationTimeMs: now, complete: false, clientName, fileId: this.lastFileId, blocks: [] });
    this.putFile(p, file, changes);
    this.children.get(parentOf(p))!.add(nameOf(p));
    if (missing.length === 0) this.touchDirectory(parentOf(p), now, changes);
    return { result: statusOf(p, file), records: changes.list() };
  }

  /** Allocates the next block id (persist the returned counter record with whatever uses it). */
  nextBlockId(): Mutation<number> {
    if (this.lastBlockId >= Number.MAX_SAFE_INTEGER) throw new DfsError('RESOURCE_EXHAUSTED', 'block ids exhausted');
    this.lastBlockId += 1;
    return { result: this.lastBlockId, records: [{ key: RecordKeys.blockIdCounter, value: counterRecord(this.lastBlockId) }] };
  }

  /** Allocates the next generation stamp (persisted like the block id counter). */
  nextGenerationStamp(): Mutation<number> {
    if (this.lastGenerationStamp >= Number.MAX_SAFE_INTEGER) throw new DfsError('RESOURCE_EXHAUSTED', 'generation stamps exhausted');
    this.lastGenerationStamp += 1;
    return {
      result: this.lastGenerationStamp,
      records: [{ key: RecordKeys.generationStampCounter, value: counterRecord(this.lastGenerationStamp) }],
    };
  }

  /** Throws unless `path` is a file open for write by `clientName`; returns its status. */
  checkOpenForWrite(path: string, clientName: string): FileStatus {
    const p = normalizePath(path);
    checkClientName(clientName);
    return statusOf(p, this.openFile(p, clientName));
  }

  /**
   * Appends an already allocated block (ids from nextBlockId/nextGenerationStamp) with length 0.
   * The file must be open by `clientName`.
   */
  addBlock(path: string, clientName: string, block: { blockId: number; generationStamp: number }): Mutation<Block> {
    const p = normalizePath(path);
    checkClientName(clientName);
    if (typeof block !== 'object' || block === null) throw new InvalidArgumentError('block is required');
    const blockId = checkId('blockId', block.blockId);
    const generationStamp = checkId('generationStamp', block.generationStamp);
    if (blockId > this.lastBlockId) throw new InvalidArgumentError(`block id ${blockId} was never allocated`);
    if (generationStamp > this.lastGenerationStamp) throw new InvalidArgumentError(`generation stamp ${generationStamp} was never allocated`);
    const owner = this.blockOwners.get(blockId);
    if (owner !== undefined) throw new InvalidArgumentError(`block ${blockId} already belongs to ${owner}`);
    const file = this.openFile(p, clientName);
    this.checkRoomForBlock(p, file);
    const changes = new ChangeSet();
    const added = this.appendBlock(p, file, blockId, generationStamp, changes);
    return { result: added, records: changes.list() };
  }

  /** The writer of an open file (FILE_NOT_OPEN if complete, FILE_NOT_FOUND if absent). */
  openFileHolder(path: string): string {
    const p = normalizePath(path);
    const file = this.existingFile(p);
    if (file.complete) throw new DfsError('FILE_NOT_OPEN', `${p} is not open for write`);
    return file.clientName;
  }

  /** The blocks of a file open by `clientName` (FILE_NOT_OPEN otherwise). */
  openFileBlocks(path: string, clientName: string): readonly Block[] {
    return this.openFile(normalizePath(path), clientName).blocks;
  }

  /** Validates, allocates a block id and generation stamp and appends the block: one mutation. */
  allocateBlock(path: string, clientName: string): Mutation<Block> {
    const p = normalizePath(path);
    checkClientName(clientName);
    const file = this.openFile(p, clientName);
    this.checkRoomForBlock(p, file);
    if (this.lastBlockId >= Number.MAX_SAFE_INTEGER || this.lastGenerationStamp >= Number.MAX_SAFE_INTEGER) {
      throw new DfsError('RESOURCE_EXHAUSTED', 'block ids or generation stamps exhausted');
    }
    const changes = new ChangeSet();
    this.lastBlockId += 1;
    this.lastGenerationStamp += 1;
    changes.put(RecordKeys.blockIdCounter, counterRecord(this.lastBlockId));
    changes.put(RecordKeys.generationStampCounter, counterRecord(this.lastGenerationStamp));
    const added = this.appendBlock(p, file, this.lastBlockId, this.lastGenerationStamp, changes);
    return { result: added, records: changes.list() };
  }

  /**
   * Removes `blockId` if it is the file's last block (a failed pipeline). Idempotent: a block the
   * file does not have is `false` with no records; any other block than the last is an error.
   */
  abandonBlock(path: string, clientName: string, blockId: number): Mutation<boolean> {
    const p = normalizePath(path);
    checkClientName(clientName);
    const id = checkId('blockId', blockId);
    const file = this.openFile(p, clientName);
    const index = file.blocks.findIndex((b) => b.blockId === id);
    if (index === -1) return { result: false, records: [] };
    if (index !== file.blocks.length - 1) throw new InvalidArgumentError(`block ${id} is not the last block of ${p}`);
    const changes = new ChangeSet();
    this.putFile(p, fileRecord({ ...file, blocks: file.blocks.slice(0, -1) }), changes);
    this.blockOwners.delete(id);
    return { result: true, records: changes.list() };
  }

  /**
   * Closes the file: `blocks` must list the file's blocks in order with their final lengths
   * (each <= blockSizeBytes). Afterwards the file is immutable. A retry by the same client with
   * the same list after success is success again, with no records.
   */
  complete(path: string, clientName: string, blocks: ReadonlyArray<{ blockId: number; lengthBytes: number }>, nowMs: number): Mutation<FileStatus> {
    const p = normalizePath(path);
    const now = checkTime(nowMs);
    const { file, alreadyComplete } = this.checkCompletion(p, clientName, blocks);
    if (alreadyComplete) return { result: statusOf(p, file), records: [] };
    const changes = new ChangeSet();
    const done = fileRecord({
      ...file,
      complete: true,
      modificationTimeMs: now,
      blocks: file.blocks.map((b, i) => ({ ...b, lengthBytes: blocks[i]!.lengthBytes })),
    });
    this.putFile(p, done, changes);
    return { result: statusOf(p, done), records: changes.list() };
  }

  /**
   * Validates a Complete request exactly as complete() does, changing nothing: the file is open
   * by `clientName` (or already complete by it with this very list: `alreadyComplete`), `blocks`
   * names its blocks in order with lengths <= blockSizeBytes. The caller may then treat the
   * lengths as committed (final) while the file waits for its replicas.
   */
  completionStatus(path: string, clientName: string, blocks: ReadonlyArray<{ blockId: number; lengthBytes: number }>): { status: FileStatus; alreadyComplete: boolean } {
    const p = normalizePath(path);
    const { file, alreadyComplete } = this.checkCompletion(p, clientName, blocks);
    return { status: statusOf(p, file), alreadyComplete };
  }

  /**
   * Validates a writer's commit of one block (AddBlock's `previous`), changing nothing: `path` is
   * open by `clientName`, `blockId` is one of its blocks and `lengthBytes` <= its block size.
   */
  checkCommit(path: string, clientName: string, block: { blockId: number; lengthBytes: number }): void {
    const p = normalizePath(path);
    checkClientName(clientName);
    const o = (typeof block === 'object' && block !== null ? block : {}) as Record<string, unknown>;
    const blockId = checkId('blockId', o['blockId']);
    if (!isIntegerIn(o['lengthBytes'], 0, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`lengthBytes must be a non-negative integer, got ${String(o['lengthBytes'])}`);
    const file = this.openFile(p, clientName);
    if (!file.blocks.some((b) => b.blockId === blockId)) throw new InvalidArgumentError(`block ${blockId} is not a block of ${p}`);
    if (o['lengthBytes'] > file.blockSizeBytes) throw new InvalidArgumentError(`block ${blockId} is longer (${o['lengthBytes']}) than the block size ${file.blockSizeBytes}`);
  }

  private checkCompletion(
    p: string, clientName: string, blocks: ReadonlyArray<{ blockId: number; lengthBytes: number }>,
  ): { file: FileRecord; alreadyComplete: boolean } {
    checkClientName(clientName);
    if (!Array.isArray(blocks)) throw new InvalidArgumentError('blocks must be an array');
    if (blocks.length > NamespaceLimits.maxBlocksPerFile) throw new InvalidArgumentError(`more than ${NamespaceLimits.maxBlocksPerFile} blocks`);
    for (const b of blocks as ReadonlyArray<unknown>) {
      const o = (typeof b === 'object' && b !== null ? b : {}) as Record<string, unknown>;
      checkId('blockId', o['blockId']);
      if (!isIntegerIn(o['lengthBytes'], 0, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`lengthBytes must be a non-negative integer, got ${String(o['lengthBytes'])}`);
    }
    const file = this.existingFile(p);
    if (file.complete) {
      if (file.clientName === clientName && sameBlockList(file.blocks, blocks)) return { file, alreadyComplete: true };
      throw new DfsError('FILE_NOT_OPEN', `${p} is already complete`);
    }
    if (file.clientName !== clientName) throw new DfsError('FILE_NOT_OPEN', `${p} is open by another client`);
    if (blocks.length !== file.blocks.length) throw new InvalidArgumentError(`${p} has ${file.blocks.length} blocks, complete named ${blocks.length}`);
    blocks.forEach((b, i) => {
      if (b.blockId !== file.blocks[i]!.blockId) throw new InvalidArgumentError(`block ${i} of ${p} is ${file.blocks[i]!.blockId}, not ${b.blockId}`);
      if (b.lengthBytes > file.blockSizeBytes) throw new InvalidArgumentError(`block ${b.blockId} is longer (${b.lengthBytes}) than the block size ${file.blockSizeBytes}`);
    });
    return { file, alreadyComplete: false };
  }

  /**
   * Sets a file's replication factor (open or complete). Returns its status and block ids (the
   * caller re-plans those blocks); no records when the factor is unchanged.
   */
  setReplication(path: string, replication: number, nowMs: number): Mutation<{ status: FileStatus; blockIds: number[] }> {
    const p = normalizePath(path);
    checkTime(nowMs);
    if (!isIntegerIn(replication, NamespaceLimits.minReplication, NamespaceLimits.maxReplication)) {
      throw new InvalidArgumentError(`replication must be an integer in ${NamespaceLimits.minReplication}..${NamespaceLimits.maxReplication}, got ${String(replication)}`);
    }
    const file = this.existingFile(p);
    const blockIds = file.blocks.map((b) => b.blockId);
    if (file.replication === replication) return { result: { status: statusOf(p, file), blockIds }, records: [] };
    const changes = new ChangeSet();
    const updated = fileRecord({ ...file, replication });
    this.putFile(p, updated, changes);
    return { result: { status: statusOf(p, updated), blockIds }, records: changes.list() };
  }

  /**
   * Deletes a file or directory (open files too). Missing path: deleted=false. A non-empty
   * directory needs `recursive`; the root cannot be deleted. With `writer`, only the file that
   * writer still holds (WriterDeleteCondition), else FILE_NOT_OPEN and nothing changes.
   */
  delete(path: string, recursive: boolean, nowMs: number, writer?: WriterDeleteCondition): Mutation<DeleteResult> {
    const p = normalizePath(path);
    const now = checkTime(nowMs);
    if (typeof recursive !== 'boolean') throw new InvalidArgumentError('recursive must be a boolean');
    if (p === '/') throw new InvalidArgumentError('the root directory cannot be deleted');
    if (writer !== undefined) {
      if (typeof writer !== 'object' || writer === null) throw new InvalidArgumentError('writer condition must be an object');
      checkClientName(writer.clientName);
      if (!isIntegerIn(writer.fileId, 0, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`fileId must be a non-negative integer, got ${String(writer.fileId)}`);
    }
    if (!this.directories.has(p) && !this.files.has(p)) return { result: { deleted: false, removedBlockIds: [] }, records: [] };
    if (writer !== undefined) this.checkHeldBy(p, writer);
    if (this.directories.has(p) && this.children.get(p)!.size > 0 && !recursive) {
      throw new DfsError('DIRECTORY_NOT_EMPTY', `${p} is not empty`);
    }
    const changes = new ChangeSet();
    const removedBlockIds: number[] = [];
    const stack = [p];
    while (stack.length > 0) {
      const current = stack.pop()!;
      const file = this.files.get(current);
      if (file) {
        for (const b of file.blocks) {
          removedBlockIds.push(b.blockId);
          this.blockOwners.delete(b.blockId);
        }
        this.files.delete(current);
      } else {
        const names = [...this.children.get(current)!].sort().reverse();
        for (const name of names) stack.push(childPath(current, name));
        this.directories.delete(current);
        this.children.delete(current);
      }
      changes.delete(RecordKeys.inode(current));
    }
    this.children.get(parentOf(p))!.delete(nameOf(p));
    this.touchDirectory(parentOf(p), now, changes);
    return { result: { deleted: true, removedBlockIds }, records: changes.list() };
  }

  // ---------------------------------------------------------------- queries

  getFileInfo(path: string): FileStatus {
    const p = normalizePath(path);
    return statusOf(p, this.existing(p));
  }

  /** A directory's children sorted by name; a file lists itself. */
  listStatus(path: string): FileStatus[] {
    const p = normalizePath(path);
    const inode = this.existing(p);
    if (inode.type === 'file') return [statusOf(p, inode)];
    const names = [...this.children.get(p)!].sort();
    return names.map((name) => {
      const child = childPath(p, name);
      return statusOf(child, (this.directories.get(child) ?? this.files.get(child))!);
    });
  }

  /**
   * One page of listStatus: at most `limit` children whose names sort after `startAfter` ('' = from
   * the first), and how many come after the page. A file lists itself (remaining 0). `startAfter`
   * need not exist (a child deleted between two pages does not break the listing).
   */
  listStatusPage(path: string, startAfter: string, limit: number, maxBytes = Infinity): { entries: FileStatus[]; remaining: number } {
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError(`listing limit must be a positive integer, got ${String(limit)}`);
    if (typeof startAfter !== 'string' || startAfter.length > Limits.maxPathComponentLength || startAfter.includes('/')) {
      throw new InvalidArgumentError(`startAfter must be a name (no "/") of at most ${Limits.maxPathComponentLength} characters`);
    }
    const p = normalizePath(path);
    const inode = this.existing(p);
    if (inode.type === 'file') return { entries: [statusOf(p, inode)], remaining: 0 };
    const names = [...this.children.get(p)!].sort();
    let from = 0;
    if (startAfter !== '') {
      let lo = 0, hi = names.length; // first index whose name sorts after startAfter
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (names[mid]! <= startAfter) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
    }
    // Also at most ~maxBytes of paths (deep paths are long), but always one entry.
    const entries: FileStatus[] = [];
    let bytes = 0;
    for (let i = from; i < names.length && entries.length < limit; i++) {
      const child = childPath(p, names[i]!);
      bytes += Buffer.byteLength(child) + LISTING_ENTRY_OVERHEAD_BYTES;
      if (entries.length > 0 && bytes > maxBytes) break;
      entries.push(statusOf(child, (this.directories.get(child) ?? this.files.get(child))!));
    }
    return { entries, remaining: names.length - from - entries.length };
  }

  getBlocks(path: string): Block[] {
    return [...this.existingFile(normalizePath(path)).blocks];
  }

  lastBlock(path: string): Block | undefined {
    const blocks = this.existingFile(normalizePath(path)).blocks;
    return blocks[blocks.length - 1];
  }

  /** The file holding `blockId`, if any (block reports: unknown blocks are garbage). */
  fileOfBlock(blockId: number): { path: string; file: FileRecord } | undefined {
    const path = this.blockOwners.get(blockId);
    return path === undefined ? undefined : { path, file: this.files.get(path)! };
  }

  fileCount(): number {
    return this.files.size;
  }

  directoryCount(): number {
    return this.directories.size;
  }

  blockCount(): number {
    return this.blockOwners.size;
  }

  /** Every file (open ones too), for fsck and safe mode. Records are immutable snapshots. */
  *allFiles(): IterableIterator<{ path: string; file: FileRecord }> {
    for (const [path, file] of this.files) yield { path, file };
  }

  // ---------------------------------------------------------------- internals

  private existing(p: string): InodeRecord {
    const inode = this.directories.get(p) ?? this.files.get(p);
    if (!inode) throw new FileNotFoundError(`${p} does not exist`);
    return inode;
  }

  private existingFile(p: string): FileRecord {
    const inode = this.existing(p);
    if (inode.type === 'directory') throw new DfsError('IS_A_DIRECTORY', `${p} is a directory`);
    return inode;
  }

  private openFile(p: string, clientName: string): FileRecord {
    const file = this.existingFile(p);
    if (file.complete) throw new DfsError('FILE_NOT_OPEN', `${p} is complete`);
    if (file.clientName !== clientName) throw new DfsError('FILE_NOT_OPEN', `${p} is open by another client`);
    return file;
  }

  /** Throws FILE_NOT_OPEN unless `p` is a file still open by the writer, and (fileId != 0) the file it created. */
  private checkHeldBy(p: string, writer: WriterDeleteCondition): void {
    const file = this.files.get(p);
    if (!file) throw new DfsError('FILE_NOT_OPEN', `${p} is a directory, not the file ${writer.clientName} is writing`);
    if (writer.fileId !== 0 && file.fileId !== writer.fileId) {
      throw new DfsError('FILE_NOT_OPEN', `${p} was replaced: it is file ${file.fileId}, not file ${writer.fileId} of ${writer.clientName}`);
    }
    if (file.complete) throw new DfsError('FILE_NOT_OPEN', `${p} is complete`);
    if (file.clientName !== writer.clientName) throw new DfsError('FILE_NOT_OPEN', `${p} is open by another client`);
  }

  private checkRoomForBlock(p: string, file: FileRecord): void {
    if (file.blocks.length >= NamespaceLimits.maxBlocksPerFile) {
      throw new DfsError('RESOURCE_EXHAUSTED', `${p} already has ${NamespaceLimits.maxBlocksPerFile} blocks`);
    }
  }

  /** Missing ancestors of `p`, outermost first; throws NOT_A_DIRECTORY if one of them is a file. */
  private missingAncestors(p: string): string[] {
    const missing: string[] = [];
    for (const a of ancestorsOf(p)) {
      if (missing.length > 0) missing.push(a);
      else if (this.files.has(a)) throw new DfsError('NOT_A_DIRECTORY', `${a} is a file`);
      else if (!this.directories.has(a)) missing.push(a);
    }
    return missing;
  }

  /** Creates a chain of new nested directories (outermost first) and touches the existing parent. */
  private createDirectories(chain: string[], now: number, changes: ChangeSet): void {
    if (chain.length === 0) return;
    this.touchDirectory(parentOf(chain[0]!), now, changes);
    for (const dir of chain) {
      const record = directoryRecord(now);
      this.directories.set(dir, record);
      this.children.set(dir, new Set());
      this.children.get(parentOf(dir))!.add(nameOf(dir));
      changes.put(RecordKeys.inode(dir), record);
    }
  }

  private touchDirectory(dir: string, now: number, changes: ChangeSet): void {
    const record = directoryRecord(now);
    this.directories.set(dir, record);
    changes.put(RecordKeys.inode(dir), record);
  }

  private putFile(p: string, file: FileRecord, changes: ChangeSet): void {
    this.files.set(p, file);
    changes.put(RecordKeys.inode(p), file);
  }

  private appendBlock(p: string, file: FileRecord, blockId: number, generationStamp: number, changes: ChangeSet): Block {
    const block: Block = Object.freeze({ blockId, generationStamp, lengthBytes: 0 });
    this.putFile(p, fileRecord({ ...file, blocks: [...file.blocks, block] }), changes);
    this.blockOwners.set(blockId, p);
    return block;
  }
}
