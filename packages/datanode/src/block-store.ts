/**
 * The DataNode's on-disk block store (HDFS FsDataset layout, one volume). A block is a data file
 * `current/blk_<id>` plus a meta file `current/blk_<id>_<generationStamp>.meta`: a 12-byte header
 * (magic, version, checksum type, bytesPerChecksum) then one big-endian CRC32C per bytesPerChecksum
 * chunk of the data (the last chunk may be shorter). Invariants: (1) a file in `current/` is always
 * complete: writers stream into `tmp/`, fsync data and meta, rename meta then data into `current/`
 * and fsync the directory, so a crash (kill -9) at any point leaves at worst a tmp file (deleted by
 * init) or a meta without its data (quarantined by init), never a half-written block; (2) a block is
 * "finalized" exactly when its data file sits in `current/` with a meta file whose CRC count fits
 * the data length, which init() checks structurally (not by CRC: that is verify()'s job); (3) no
 * byte leaves read() unverified, so a corrupt replica fails loudly with ChecksumMismatchError
 * instead of being served; (4) block ids and generation stamps are validated as integers before
 * they touch a path; (5) memory per writer/reader is bounded by one packet: writers stream to the
 * file handle and carry only the running CRC of a partial chunk and at most META_FLUSH_CRCS chunk CRCs
 * (plus one coalesced write's), readers hold one piece; (6) a replica being written (HDFS RBW) sits
 * in `rbw/`: the bytes a write kept when its upstream vanished mid-block (keepPartial), with a meta
 * file that fits them. It is never readable and never in list(); init() reloads it (one that does
 * not fit is deleted); block recovery finalizes it at a given length (finalizeBeingWritten) or the
 * NameNode has it deleted.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import {
  ChecksumMismatchError,
  DfsError,
  FileAlreadyExistsError,
  InvalidArgumentError,
  Limits,
  chunkCrcs,
  firstBadChunk,
  silentLogger,
  type Logger,
} from '@minidfs/common';
import { VolumeFailedError, isVolumeError } from './volume';

/** A finalized replica as the store reports it (block reports, reads). */
export interface StoredBlock {
  blockId: number;
  generationStamp: number;
  lengthBytes: number;
}

export interface BlockStoreOptions {
  /**
   * Bytes covered by one CRC32C in blocks this store writes. Default Limits.bytesPerChecksum (512,
   * HDFS dfs.bytes-per-checksum). Must divide Limits.packetDataBytes so read pieces hold whole
   * chunks. Existing blocks keep the value recorded in their own meta header.
   */
  bytesPerChecksum?: number;
  logger?: Logger;
  /**
   * A finalized replica's files were found gone (a read or copy could not open them, or scan()):
   * the store has already forgotten it; the DataNode reports it deleted so the NameNode stops
   * counting it and copies the block from a replica that exists (HDFS DirectoryScanner).
   */
  onReplicaMissing?: (blockId: number) => void;
  /**
   * A read or write failed with an error that may mean the volume is failing (volume.ts
   * isVolumeError: EIO, EACCES, EROFS, ...): the DataNode runs checkVolume() to decide.
   */
  onVolumeError?: (err: NodeJS.ErrnoException) => void;
}

/** An in-progress block in `tmp/`. Calls are serialized internally, in call order. */
export interface BlockWriter {
  readonly blockId: number;
  readonly generationStamp: number;
  /** Bytes accepted by completed write() calls. */
  readonly bytesWritten: number;
  /**
   * Appends `data` (any length, no alignment assumed across calls). If `chunkCrcs` are given they
   * are the sender's CRC32Cs of this packet's own bytesPerChecksum-sized chunks and are checked
   * before anything is written: a mismatch throws ChecksumMismatchError, a wrong count throws
   * InvalidArgumentError. Any failed write aborts the writer (tmp files removed, block id free again).
   * `verified`: the caller already checked `chunkCrcs` against `data` (the transfer server checks
   * once per hop); they are stored without checking them again. `data` may come in pieces (a
   * packet as the views of the socket chunks it arrived in): they go to the file in the same
   * writev, joined only if this writer must hash the bytes itself (no CRCs, or a partial chunk
   * carried over from the previous write).
   */
  write(data: Buffer | readonly Buffer[], chunkCrcs?: number[], verified?: boolean): Promise<void>;
  /** fsyncs, moves the block into `current/` and returns it. Any failure aborts the writer. */
  finalize(): Promise<StoredBlock>;
  /** Removes the tmp files and frees the block id. Idempotent; a no-op after finalize(). */
  abort(): Promise<void>;
  /**
   * The write lost its upstream mid-block: waits for the writes already issued, then keeps their
   * bytes as a replica being written in `rbw/` (fsynced) and returns it; undefined when nothing
   * was written or the writer failed (then it is aborted). The block id is free again afterwards.
   */
  keepPartial(): Promise<StoredBlock | undefined>;
}

/** One piece of a read: whole chunks starting at `offsetBytes` (a multiple of bytesPerChecksum). */
export interface BlockPiece {
  offsetBytes: number;
  data: Buffer;
  /** CRC32C per chunk of `data`, as stored in the meta file (and checked against `data`). */
  chunkCrcs: number[];
}

/** Meta file header: "MDFM", uint16 version, uint8 checksum type (2 = CRC32C, as HDFS), uint8 0, uint32 bytesPerChecksum. */
const META_MAGIC = Buffer.from('MDFM', 'ascii');
const META_VERSION = 1;
const CHECKSUM_TYPE_CRC32C = 2;
const META_HEADER_BYTES = 12;
const CRC_BYTES = 4;
/**
 * CRCs a writer holds before appending them to its tmp meta file: 8192 (32 KiB, the CRCs of 4 MiB
 * of data) per meta write instead of one meta write per coalesced data write. The tmp meta file
 * only has to be complete at finalize (it is fsynced then); a crash before leaves a tmp block that
 * init() deletes anyway.
 */
const META_FLUSH_CRCS = 8192;

const DIGITS = /^[0-9]+$/;
const DATA_FILE = /^blk_([0-9]+)$/;
const META_FILE = /^blk_([0-9]+)_([0-9]+)\.meta$/;
/** Longest digit string we even try to parse (a safe integer has at most 16 digits). */
const MAX_ID_DIGITS = 20;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function parseInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && value.length <= MAX_ID_DIGITS && DIGITS.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** A block id: a positive safe integer, given as a number or a string of decimal digits only. */
export function validateBlockId(value: unknown): number {
  const id = parseInteger(value);
  if (id === undefined || id <= 0) throw new InvalidArgumentError(`invalid block id ${describe(value)}: need a positive safe integer`);
  return id;
}

/** A generation stamp: a non-negative safe integer, given as a number or a string of decimal digits only. */
export function validateGenerationStamp(value: unknown): number {
  const stamp = parseInteger(value);
  if (stamp === undefined || stamp < 0) throw new InvalidArgumentError(`invalid generation stamp ${describe(value)}: need a non-negative safe integer`);
  return stamp;
}

/** The integer a file name spells, only if it spells it the way we write it (no leading zeros). */
function canonicalInteger(digits: string | undefined): number | undefined {
  const value = parseInteger(digits);
  return value !== undefined && String(value) === digits ? value : undefined;
}

function validateByteCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`invalid ${what} ${describe(value)}: need a non-negative safe integer`);
  return value;
}

export { chunkCrcs };

function chunkCount(lengthBytes: number, bytesPerChecksum: number): number {
  return Math.ceil(lengthBytes / bytesPerChecksum);
}

function encodeMetaHeader(bytesPerChecksum: number): Buffer {
  const header = Buffer.alloc(META_HEADER_BYTES);
  META_MAGIC.copy(header, 0);
  header.writeUInt16BE(META_VERSION, 4);
  header.writeUInt8(CHECKSUM_TYPE_CRC32C, 6);
  header.writeUInt32BE(bytesPerChecksum, 8);
  return header;
}

/** bytesPerChecksum from a meta header, or undefined if the header is not ours. */
function decodeMetaHeader(header: Buffer): number | undefined {
  if (header.length < META_HEADER_BYTES) return undefined;
  if (!header.subarray(0, 4).equals(META_MAGIC)) return undefined;
  if (header.readUInt16BE(4) !== META_VERSION || header.readUInt8(6) !== CHECKSUM_TYPE_CRC32C) return undefined;
  const bytesPerChecksum = header.readUInt32BE(8);
  return bytesPerChecksum > 0 ? bytesPerChecksum : undefined;
}

function encodeCrcs(crcs: readonly number[]): Buffer {
  const buf = Buffer.alloc(crcs.length * CRC_BYTES);
  crcs.forEach((crc, i) => buf.writeUInt32BE(crc >>> 0, i * CRC_BYTES));
  return buf;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function writeFully(handle: fsp.FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** Bytes in a buffer or in pieces. */
function byteLength(data: Buffer | readonly Buffer[]): number {
  if (Buffer.isBuffer(data)) return data.length;
  let n = 0;
  for (const piece of data) n += piece.length;
  return n;
}

/** writeFully for several buffers in one system call where the kernel takes them all. */
async function writevFully(handle: fsp.FileHandle, buffers: Buffer[], position: number): Promise<void> {
  if (buffers.length === 1) return writeFully(handle, buffers[0]!, position);
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending, at);
    at += bytesWritten;
    // Drop what was written; a partial write leaves the rest of one buffer at the front.
    let i = 0;
    while (i < pending.length && bytesWritten >= pending[i]!.length) bytesWritten -= pending[i++]!.length;
    pending = pending.slice(i);
    if (bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
  }
}

/** Reads up to `length` bytes at `position`; returns fewer only at end of file. */
async function readFully(handle: fsp.FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await fsp.stat(file);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

interface BlockRecord extends StoredBlock {
  bytesPerChecksum: number;
}

function publicView(record: BlockRecord): StoredBlock {
  return { blockId: record.blockId, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes };
}

export class BlockStore {
  private readonly currentDir: string;
  private readonly tmpDir: string;
  private readonly rbwDir: string;
  private readonly quarantineDir: string;
  private readonly bytesPerChecksum: number;
  private readonly logger: Logger;
  private readonly onReplicaMissing: ((blockId: number) => void) | undefined;
  private readonly blocks = new Map<number, BlockRecord>();
  /** Replicas being written (rbw/), never readable. */
  private readonly beingWritten = new Map<number, BlockRecord>();
  /** Ids with an open writer or a delete in progress: createWriter refuses them. */
  private readonly busyIds = new Set<number>();
  private usedBytesTotal = 0;
  private initialized = false;
  private readonly onVolumeError: ((err: NodeJS.ErrnoException) => void) | undefined;
  /** Why the volume failed (failVolume); undefined while it is healthy. */
  private failure: string | undefined;

  constructor(readonly dir: string, options: BlockStoreOptions = {}) {
    const bytesPerChecksum = options.bytesPerChecksum ?? Limits.bytesPerChecksum;
    if (!Number.isSafeInteger(bytesPerChecksum) || bytesPerChecksum <= 0 || Limits.packetDataBytes % bytesPerChecksum !== 0) {
      throw new RangeError(`bytesPerChecksum must be a positive divisor of ${Limits.packetDataBytes}, got ${bytesPerChecksum}`);
    }
    this.bytesPerChecksum = bytesPerChecksum;
    this.logger = options.logger ?? silentLogger();
    this.onReplicaMissing = options.onReplicaMissing;
    this.onVolumeError = options.onVolumeError;
    this.currentDir = path.join(dir, 'current');
    this.tmpDir = path.join(dir, 'tmp');
    this.rbwDir = path.join(dir, 'rbw');
    this.quarantineDir = path.join(dir, 'quarantine');
  }

  /**
   * Creates the directories, deletes unfinished writes in tmp/, and loads current/: a data file
   * without a fitting meta file, and a meta file without data, go to quarantine/ (logged, not
   * reported). Checks structure only; CRCs are checked by read() and verify().
   */
  async init(): Promise<StoredBlock[]> {
    if (this.busyIds.size > 0) throw new Error('BlockStore.init() while writers or deletes are in progress');
    this.blocks.clear();
    this.beingWritten.clear();
    this.usedBytesTotal = 0;
    for (const dir of [this.dir, this.currentDir, this.tmpDir, this.rbwDir, this.quarantineDir]) await fsp.mkdir(dir, { recursive: true });
    await fsyncDirectory(this.dir);

    const leftovers = await fsp.readdir(this.tmpDir);
    for (const name of leftovers) await fsp.rm(path.join(this.tmpDir, name), { recursive: true, force: true });
    if (leftovers.length > 0) this.logger.info('deleted unfinished block writes', { dir: this.tmpDir, files: leftovers.length });

    const dataFiles = new Map<number, string>();
    const metaFiles = new Map<number, { name: string; generationStamp: number }[]>();
    for (const name of (await fsp.readdir(this.currentDir)).sort()) {
      const data = DATA_FILE.exec(name);
      const meta = META_FILE.exec(name);
      const dataId = data ? canonicalInteger(data[1]) : undefined;
      const metaId = meta ? canonicalInteger(meta[1]) : undefined;
      const metaStamp = meta ? canonicalInteger(meta[2]) : undefined;
      if (dataId !== undefined && dataId > 0) {
        dataFiles.set(dataId, name);
      } else if (metaId !== undefined && metaId > 0 && metaStamp !== undefined) {
        const list = metaFiles.get(metaId) ?? [];
        list.push({ name, generationStamp: metaStamp });
        metaFiles.set(metaId, list);
      } else {
        this.logger.warn('ignoring unknown file in block directory', { dir: this.currentDir, file: name });
      }
    }

    for (const [blockId, dataName] of dataFiles) {
      const lengthBytes = (await fsp.stat(path.join(this.currentDir, dataName))).size;
      const candidates = metaFiles.get(blockId) ?? [];
      metaFiles.delete(blockId);
      let chosen: { name: string; generationStamp: number; bytesPerChecksum: number } | undefined;
      const rejected: string[] = [];
      // Highest generation stamp that fits wins; anything else is quarantined.
      for (const candidate of candidates.sort((a, b) => b.generationStamp - a.generationStamp)) {
        const bytesPerChecksum = chosen ? undefined : await this.fittingMeta(path.join(this.currentDir, candidate.name), lengthBytes);
        if (bytesPerChecksum !== undefined) chosen = { ...candidate, bytesPerChecksum };
        else rejected.push(candidate.name);
      }
      for (const name of rejected) await this.quarantine(name, chosen ? 'superseded or unfitting meta file' : 'meta file does not fit data length');
      if (!chosen) {
        await this.quarantine(dataName, candidates.length === 0 ? 'data file without meta file' : 'no meta file fits data length');
        continue;
      }
      this.blocks.set(blockId, { blockId, generationStamp: chosen.generationStamp, lengthBytes, bytesPerChecksum: chosen.bytesPerChecksum });
      this.usedBytesTotal += lengthBytes;
    }
    for (const list of metaFiles.values()) {
      for (const { name } of list) await this.quarantine(name, 'meta file without data file');
    }
    await this.loadBeingWritten();
    this.initialized = true;
    this.logger.info('block store loaded', { dir: this.dir, blocks: this.blocks.size, usedBytes: this.usedBytesTotal });
    return this.list();
  }

  /**
   * rbw/ after a restart: a data file with exactly one meta file that fits it is a replica being
   * written again; anything else there is deleted (it could only be a half-kept partial write).
   */
  private async loadBeingWritten(): Promise<void> {
    const names = await fsp.readdir(this.rbwDir);
    const metas = new Map<number, string[]>();
    for (const name of names) {
      const meta = META_FILE.exec(name);
      const id = meta ? canonicalInteger(meta[1]) : undefined;
      if (id !== undefined) metas.set(id, [...(metas.get(id) ?? []), name]);
    }
    const kept = new Set<string>();
    for (const name of names) {
      const data = DATA_FILE.exec(name);
      const id = data ? canonicalInteger(data[1]) : undefined;
      const candidates = id !== undefined ? metas.get(id) ?? [] : [];
      if (id === undefined || id <= 0 || candidates.length !== 1 || this.blocks.has(id)) continue;
      const metaName = candidates[0]!;
      const lengthBytes = (await fsp.stat(path.join(this.rbwDir, name))).size;
      const bytesPerChecksum = await this.fittingMeta(path.join(this.rbwDir, metaName), lengthBytes);
      if (bytesPerChecksum === undefined || lengthBytes === 0) continue;
      const generationStamp = canonicalInteger(META_FILE.exec(metaName)![2])!;
      this.beingWritten.set(id, { blockId: id, generationStamp, lengthBytes, bytesPerChecksum });
      kept.add(name);
      kept.add(metaName);
    }
    const dropped = names.filter((n) => !kept.has(n));
    for (const name of dropped) await fsp.rm(path.join(this.rbwDir, name), { recursive: true, force: true });
    if (dropped.length > 0) this.logger.warn('deleted unusable files of replicas being written', { dir: this.rbwDir, files: dropped.length });
  }

  /** Replicas being written (rbw/), sorted by id: reported to the NameNode, never readable. */
  listBeingWritten(): StoredBlock[] {
    return [...this.beingWritten.values()].sort((a, b) => a.blockId - b.blockId).map(publicView);
  }

  /**
   * Block recovery: truncates the replica being written to `lengthBytes` (recomputing the last
   * partial chunk's CRC), fsyncs it and moves it into current/ as a finalized replica. Returns the
   * finalized block; the already finalized one if it has exactly that length; undefined when this
   * node has no such replica being written or it holds fewer bytes (nothing changed).
   */
  async finalizeBeingWritten(blockId: number | string, generationStamp: number | string, lengthBytes: number): Promise<StoredBlock | undefined> {
    this.assertInitialized();
    const id = validateBlockId(blockId);
    const stamp = validateGenerationStamp(generationStamp);
    validateByteCount(lengthBytes, 'recovery length');
    const finalized = this.blocks.get(id);
    if (finalized) return finalized.lengthBytes === lengthBytes ? publicView(finalized) : undefined;
    const record = this.beingWritten.get(id);
    if (!record || record.generationStamp !== stamp || record.lengthBytes < lengthBytes || lengthBytes === 0 || this.busyIds.has(id)) return undefined;
    this.busyIds.add(id);
    try {
      const files = this.beingWrittenFiles(record);
      const chunks = chunkCount(lengthBytes, record.bytesPerChecksum);
      const data = await fsp.open(files.data, 'r+');
      const meta = await fsp.open(files.meta, 'r+').catch(async (err: unknown) => {
        await data.close();
        throw err;
      });
      try {
        await data.truncate(lengthBytes);
        await meta.truncate(META_HEADER_BYTES + chunks * CRC_BYTES);
        const tail = lengthBytes % record.bytesPerChecksum;
        if (tail !== 0) {
          const last = await readFully(data, tail, lengthBytes - tail);
          await writeFully(meta, encodeCrcs([crc32c(last)]), META_HEADER_BYTES + (chunks - 1) * CRC_BYTES);
        }
        await data.sync();
        await meta.sync();
      } finally {
        await data.close();
        await meta.close();
      }
      const block: BlockRecord = { ...record, lengthBytes };
      await this.commit(block, files);
      this.beingWritten.delete(id);
      this.logger.info('replica being written finalized by block recovery', {
        event: 'rbw-finalized', blockId: id, generationStamp: stamp, lengthBytes, hadBytes: record.lengthBytes,
      });
      return publicView(block);
    } finally {
      this.busyIds.delete(id);
    }
  }

  /** Deletes a replica being written; false if there is none. */
  private deleteBeingWritten(id: number): boolean {
    const record = this.beingWritten.get(id);
    if (!record) return false;
    this.beingWritten.delete(id);
    const files = this.beingWrittenFiles(record);
    fs.rmSync(files.data, { force: true });
    fs.rmSync(files.meta, { force: true });
    this.logger.info('replica being written deleted', { event: 'rbw-deleted', blockId: id, lengthBytes: record.lengthBytes });
    return true;
  }

  private beingWrittenFiles(record: BlockRecord): { data: string; meta: string } {
    return { data: path.join(this.rbwDir, `blk_${record.blockId}`), meta: path.join(this.rbwDir, metaFileName(record.blockId, record.generationStamp)) };
  }

  /** Moves a kept partial write's fsynced tmp files into rbw/. */
  private async keepBeingWritten(record: BlockRecord, tmp: { data: string; meta: string }): Promise<void> {
    const files = this.beingWrittenFiles(record);
    await fsp.rename(tmp.meta, files.meta);
    await fsp.rename(tmp.data, files.data);
    await fsyncDirectory(this.rbwDir);
    this.beingWritten.set(record.blockId, record);
    this.logger.info('partial write kept as a replica being written', {
      event: 'rbw-kept', blockId: record.blockId, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes,
    });
  }

  /** Finalized blocks, sorted by id. */
  list(): StoredBlock[] {
    return [...this.blocks.values()].sort((a, b) => a.blockId - b.blockId).map(publicView);
  }

  get(blockId: number | string): StoredBlock | undefined {
    const record = this.blocks.get(validateBlockId(blockId));
    return record ? publicView(record) : undefined;
  }

  has(blockId: number | string): boolean {
    return this.blocks.has(validateBlockId(blockId));
  }

  blockCount(): number {
    return this.blocks.size;
  }

  /** Sum of finalized data lengths (meta files and in-progress writes not counted). */
  usedBytes(): number {
    return this.usedBytesTotal;
  }

  /** Bytes available to this process on the store's file system. */
  remainingBytes(): number {
    const stats = fs.statfsSync(this.dir);
    return stats.bavail * stats.bsize;
  }

  /** Path of a finalized block's data file (tests flip bytes in it). */
  blockFilePath(blockId: number | string): string {
    return path.join(this.currentDir, `blk_${validateBlockId(blockId)}`);
  }

  /** Path of a finalized block's meta file, or undefined if the block is not finalized here. */
  metaFilePath(blockId: number | string): string | undefined {
    const record = this.blocks.get(validateBlockId(blockId));
    return record ? path.join(this.currentDir, metaFileName(record.blockId, record.generationStamp)) : undefined;
  }

  /** Opens a writer in tmp/. Throws FileAlreadyExistsError if the block is finalized or busy. */
  createWriter(blockId: number | string, generationStamp: number | string): BlockWriter {
    this.assertInitialized();
    const id = validateBlockId(blockId);
    const stamp = validateGenerationStamp(generationStamp);
    if (this.blocks.has(id)) throw new FileAlreadyExistsError(`block ${id} is already finalized on this datanode`);
    if (this.busyIds.has(id)) throw new FileAlreadyExistsError(`block ${id} is being written or deleted on this datanode`);
    if (this.failure !== undefined) throw new VolumeFailedError(`volume ${this.dir} failed (${this.failure}): no block is written on it`);
    this.deleteBeingWritten(id); // a new write of the block supersedes what an earlier one left
    this.busyIds.add(id);
    return new TmpBlockWriter(id, stamp, this.bytesPerChecksum, {
      tmp: { data: path.join(this.tmpDir, `blk_${id}`), meta: path.join(this.tmpDir, metaFileName(id, stamp)) },
      commit: (record, tmp) => this.commit(record, tmp),
      keep: (record, tmp) => this.keepBeingWritten(record, tmp),
      release: () => this.busyIds.delete(id),
      ioError: (err) => this.noteIoError(err),
    });
  }

  /**
   * Reads a finalized block. Yields pieces of whole chunks: the first starts at the chunk holding
   * `offsetBytes` (floor to bytesPerChecksum), the last ends at the end of the chunk holding the last
   * requested byte (or the block end), each at most Limits.packetDataBytes. The caller trims
   * `offsetBytes - piece.offsetBytes` from the front and anything past the requested range.
   * `lengthBytes` 0 means to the end; a range past the block end throws InvalidArgumentError.
   * Every piece is checked against the meta CRCs (ChecksumMismatchError naming block and chunk).
   * A zero-length range yields nothing. As a generator, it throws on first iteration, not on call.
   */
  async *read(blockId: number | string, offsetBytes = 0, lengthBytes = 0): AsyncGenerator<BlockPiece> {
    this.assertInitialized();
    const id = validateBlockId(blockId);
    validateByteCount(offsetBytes, 'read offset');
    validateByteCount(lengthBytes, 'read length');
    const record = this.blocks.get(id);
    if (!record) throw new DfsError('BLOCK_NOT_FOUND', `block ${id} not found on this datanode`);
    const endBytes = lengthBytes === 0 ? record.lengthBytes : offsetBytes + lengthBytes;
    if (offsetBytes > record.lengthBytes || endBytes > record.lengthBytes) {
      throw new InvalidArgumentError(`read of block ${id} range [${offsetBytes}, ${endBytes}) exceeds its length ${record.lengthBytes}`);
    }
    if (endBytes === offsetBytes) return;
    const { bytesPerChecksum } = record;
    const startBytes = Math.floor(offsetBytes / bytesPerChecksum) * bytesPerChecksum;
    const stopBytes = Math.min(chunkCount(endBytes, bytesPerChecksum) * bytesPerChecksum, record.lengthBytes);
    const pieceBytes = Math.floor(Limits.packetDataBytes / bytesPerChecksum) * bytesPerChecksum;

    // Spans of Limits.readSpanBytes come off the disk (one read each for data and CRCs), with the
    // next span read ahead while this one is sent as packet-sized pieces.
    const spanBytes = Math.max(pieceBytes, Math.floor(Limits.readSpanBytes / pieceBytes) * pieceBytes);
    const handles = await this.openForRead(record);
    const readSpan = (position: number): Promise<BlockPiece> | undefined => {
      if (position >= stopBytes) return undefined;
      const span = readVerifiedPiece(record, handles, position, Math.min(spanBytes, stopBytes - position));
      span.catch(() => undefined); // awaited below; never an unhandled rejection if the reader stops early
      return span;
    };
    let next = readSpan(startBytes);
    try {
      for (let position = startBytes; next; position += spanBytes) {
        const span = await next.catch((err: unknown) => {
          this.noteIoError(err);
          throw err;
        });
        next = readSpan(position + spanBytes);
        for (let at = 0; at < span.data.length; at += pieceBytes) {
          const end = Math.min(at + pieceBytes, span.data.length);
          yield {
            offsetBytes: span.offsetBytes + at, data: span.data.subarray(at, end),
            chunkCrcs: span.chunkCrcs.slice(at / bytesPerChecksum, Math.ceil(end / bytesPerChecksum)),
          };
        }
      }
    } finally {
      await next?.catch(() => undefined); // no close under a read in flight
      await handles.data.close();
      await handles.meta.close();
    }
  }

  /** Full scan: file sizes match the record and every chunk matches its CRC. Unknown block -> BLOCK_NOT_FOUND. */
  async verify(blockId: number | string): Promise<boolean> {
    this.assertInitialized();
    const id = validateBlockId(blockId);
    const record = this.blocks.get(id);
    if (!record) throw new DfsError('BLOCK_NOT_FOUND', `block ${id} not found on this datanode`);
    try {
      const dataSize = (await fsp.stat(this.blockFilePath(id))).size;
      const metaPath = path.join(this.currentDir, metaFileName(id, record.generationStamp));
      const metaSize = (await fsp.stat(metaPath)).size;
      const expectedMetaSize = META_HEADER_BYTES + CRC_BYTES * chunkCount(record.lengthBytes, record.bytesPerChecksum);
      if (dataSize !== record.lengthBytes || metaSize !== expectedMetaSize) {
        this.logger.warn('block file sizes changed', { blockId: id, dataSize, metaSize, lengthBytes: record.lengthBytes, expectedMetaSize });
        return false;
      }
      for await (const piece of this.read(id)) void piece;
      return true;
    } catch (err) {
      if (err instanceof ChecksumMismatchError || (err instanceof DfsError && err.code === 'BLOCK_NOT_FOUND') || isNotFound(err)) {
        this.logger.warn('block failed verification', { blockId: id, error: (err as Error).message });
        return false;
      }
      throw err;
    }
  }

  /**
   * Directory scan (the cheap half of HDFS's DirectoryScanner): one listing of current/ compared
   * with the index; every replica whose data or meta file is gone is dropped (dropMissing: forgotten,
   * its leftover file quarantined, onReplicaMissing told). Only replicas indexed before the listing
   * started are judged (a block finalized meanwhile has its files, it just is not listed yet), and
   * each candidate is checked again with stat before it is dropped. Files the index does not know
   * are left for init() at the next start; contents are not read (that is verify()'s job).
   * A failed volume (failVolume) is not scanned. Returns the ids dropped.
   */
  async scan(): Promise<number[]> {
    this.assertInitialized();
    if (this.failure !== undefined) return []; // a failed volume serves nothing: nothing to compare
    const indexed = [...this.blocks.values()];
    const names = new Set(await fsp.readdir(this.currentDir));
    const dropped: number[] = [];
    for (const record of indexed) {
      const dataName = `blk_${record.blockId}`;
      const metaName = metaFileName(record.blockId, record.generationStamp);
      if (names.has(dataName) && names.has(metaName)) continue;
      if (this.blocks.get(record.blockId) !== record) continue; // deleted or replaced meanwhile
      const [data, meta] = await Promise.all([dataName, metaName].map((n) => fileExists(path.join(this.currentDir, n))));
      if (data && meta) continue;
      if (await this.dropMissing(record, `directory scan: ${data ? 'meta' : meta ? 'data' : 'data and meta'} file missing`)) dropped.push(record.blockId);
    }
    return dropped;
  }

  /**
   * Forgets a finalized replica whose files are gone (so it is no longer listed, read or copied,
   * and a new copy may be written), quarantines whichever of its two files is left, logs
   * `replica-missing` and calls onReplicaMissing. False (nothing done) if `record` is no longer the
   * one indexed.
   */
  private async dropMissing(record: BlockRecord, reason: string): Promise<boolean> {
    const id = record.blockId;
    if (this.blocks.get(id) !== record || this.busyIds.has(id)) return false;
    this.blocks.delete(id);
    this.usedBytesTotal -= record.lengthBytes;
    this.busyIds.add(id); // no writer recreates it while the leftover is moved away
    try {
      for (const name of [`blk_${id}`, metaFileName(id, record.generationStamp)]) {
        if (!(await fileExists(path.join(this.currentDir, name)))) continue;
        await this.quarantine(name, 'the other file of its replica is missing').catch((err: unknown) => {
          this.logger.warn('could not quarantine a leftover block file', { file: name, error: (err as Error).message });
        });
      }
    } finally {
      this.busyIds.delete(id);
    }
    this.logger.error('replica files missing: replica dropped and reported deleted', {
      event: 'replica-missing', blockId: id, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes, reason,
    });
    this.onReplicaMissing?.(id);
    return true;
  }

  /**
   * Removes a finalized block's data and meta files, or a replica being written of it. False if
   * the block is neither here.
   */
  async delete(blockId: number | string): Promise<boolean> {
    this.assertInitialized();
    const id = validateBlockId(blockId);
    const record = this.blocks.get(id);
    if (!record) return !this.busyIds.has(id) && this.deleteBeingWritten(id);
    // Forget it first so no new read starts; hold the id so no writer recreates it mid-delete.
    this.blocks.delete(id);
    this.usedBytesTotal -= record.lengthBytes;
    this.busyIds.add(id);
    try {
      // Data first: a crash in between leaves a meta without data, which init() quarantines.
      await unlinkIfPresent(this.blockFilePath(id));
      await unlinkIfPresent(path.join(this.currentDir, metaFileName(id, record.generationStamp)));
    } finally {
      this.busyIds.delete(id);
    }
    this.logger.info('block deleted', { blockId: id, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes });
    return true;
  }

  /**
   * Health check of the volume (HDFS DiskChecker): the store's directories are directories we can
   * list, and a small file can be written, fsynced, read back and removed in tmp/. Returns why the
   * volume is unusable, or undefined if it is fine (or already failed: see volumeFailure).
   */
  async checkVolume(): Promise<string | undefined> {
    if (this.failure !== undefined) return undefined;
    const probe = path.join(this.tmpDir, `.volume-check-${process.pid}`);
    const content = Buffer.from(`minidfs volume check ${Date.now()}\n`);
    try {
      for (const dir of [this.dir, this.currentDir, this.tmpDir]) {
        if (!(await fsp.stat(dir)).isDirectory()) return `${dir} is not a directory`;
        await fsp.access(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
      }
      await fsp.readdir(this.currentDir);
      const handle = await fsp.open(probe, 'w');
      try {
        await writeFully(handle, content, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (!(await fsp.readFile(probe)).equals(content)) return `${probe} did not read back what was written`;
      await fsp.unlink(probe);
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return `${e.code ?? 'error'}: ${e.message}`;
    }
  }

  /** Why the volume failed, or undefined while it is healthy. */
  get volumeFailure(): string | undefined {
    return this.failure;
  }

  /**
   * Marks the volume failed until the process restarts: every finalized replica is forgotten (not
   * listed, read or copied; the files stay where they are) and returned so the DataNode can report
   * them deleted; createWriter and a writer's finalize throw VolumeFailedError. Idempotent (a second
   * call returns []).
   */
  failVolume(reason: string): StoredBlock[] {
    if (this.failure !== undefined) return [];
    this.failure = reason;
    const lost = this.list();
    this.blocks.clear();
    this.usedBytesTotal = 0;
    return lost;
  }

  private noteIoError(err: unknown): void {
    if (this.failure === undefined && isVolumeError(err)) this.onVolumeError?.(err);
  }

  /** Moves a writer's fsynced tmp files into current/ and records the block. */
  private async commit(record: BlockRecord, tmp: { data: string; meta: string }): Promise<void> {
    if (this.failure !== undefined) throw new VolumeFailedError(`volume ${this.dir} failed (${this.failure}): block ${record.blockId} not finalized`);
    const dataPath = this.blockFilePath(record.blockId);
    const metaPath = path.join(this.currentDir, metaFileName(record.blockId, record.generationStamp));
    try {
      // Meta first: the data file's presence is what makes a block exist.
      await fsp.rename(tmp.meta, metaPath);
      await fsp.rename(tmp.data, dataPath);
      await fsyncDirectory(this.currentDir);
    } catch (err) {
      await unlinkIfPresent(dataPath).catch(() => undefined);
      await unlinkIfPresent(metaPath).catch(() => undefined);
      throw err;
    }
    this.blocks.set(record.blockId, record);
    this.usedBytesTotal += record.lengthBytes;
    this.logger.info('block finalized', { blockId: record.blockId, generationStamp: record.generationStamp, lengthBytes: record.lengthBytes });
  }

  private assertInitialized(): void {
    if (!this.initialized) throw new Error('BlockStore.init() has not completed');
  }

  /** Opens a replica's two files; if one is gone, the replica is dropped (dropMissing) and BLOCK_NOT_FOUND thrown. */
  private async openForRead(record: BlockRecord): Promise<{ data: fsp.FileHandle; meta: fsp.FileHandle }> {
    const missing = async (which: string): Promise<DfsError> => {
      await this.dropMissing(record, `${which} file missing on open`);
      return new DfsError('BLOCK_NOT_FOUND', `block ${record.blockId} files are missing on this datanode`);
    };
    let data: fsp.FileHandle;
    try {
      data = await fsp.open(this.blockFilePath(record.blockId), 'r');
    } catch (err) {
      this.noteIoError(err);
      throw isNotFound(err) ? await missing('data') : err;
    }
    try {
      return { data, meta: await fsp.open(path.join(this.currentDir, metaFileName(record.blockId, record.generationStamp)), 'r') };
    } catch (err) {
      await data.close();
      this.noteIoError(err);
      throw isNotFound(err) ? await missing('meta') : err;
    }
  }

  /** bytesPerChecksum of a meta file whose header is ours and whose CRC count fits `lengthBytes`. */
  private async fittingMeta(metaPath: string, lengthBytes: number): Promise<number | undefined> {
    const handle = await fsp.open(metaPath, 'r');
    try {
      const bytesPerChecksum = decodeMetaHeader(await readFully(handle, META_HEADER_BYTES, 0));
      if (bytesPerChecksum === undefined) return undefined;
      const size = (await handle.stat()).size;
      return size === META_HEADER_BYTES + CRC_BYTES * chunkCount(lengthBytes, bytesPerChecksum) ? bytesPerChecksum : undefined;
    } finally {
      await handle.close();
    }
  }

  private async quarantine(name: string, reason: string): Promise<void> {
    let target = path.join(this.quarantineDir, name);
    for (let n = 1; fs.existsSync(target); n += 1) target = path.join(this.quarantineDir, `${name}.${n}`);
    await fsp.rename(path.join(this.currentDir, name), target);
    this.logger.warn('quarantined block file', { file: name, reason, movedTo: target });
  }
}

function metaFileName(blockId: number, generationStamp: number): string {
  return `blk_${blockId}_${generationStamp}.meta`;
}

async function readVerifiedPiece(
  record: BlockRecord,
  handles: { data: fsp.FileHandle; meta: fsp.FileHandle },
  position: number,
  length: number,
): Promise<BlockPiece> {
  const { blockId, bytesPerChecksum } = record;
  const data = await readFully(handles.data, length, position);
  if (data.length !== length) {
    throw new ChecksumMismatchError(`block ${blockId}: data file truncated at byte ${position + data.length}, expected ${record.lengthBytes} bytes`);
  }
  const firstChunk = position / bytesPerChecksum;
  const count = chunkCount(length, bytesPerChecksum);
  const raw = await readFully(handles.meta, count * CRC_BYTES, META_HEADER_BYTES + firstChunk * CRC_BYTES);
  if (raw.length !== count * CRC_BYTES) {
    throw new ChecksumMismatchError(`block ${blockId}: meta file truncated, no CRC for chunk ${firstChunk + Math.floor(raw.length / CRC_BYTES)}`);
  }
  const stored: number[] = [];
  for (let i = 0; i < count; i += 1) stored.push(raw.readUInt32BE(i * CRC_BYTES));
  const bad = firstBadChunk(data, stored, bytesPerChecksum);
  if (bad >= 0) {
    throw new ChecksumMismatchError(`block ${blockId}: checksum mismatch in chunk ${firstChunk + bad} (bytes ${position + bad * bytesPerChecksum}..)`);
  }
  return { offsetBytes: position, data, chunkCrcs: stored };
}

type WriterState = 'open' | 'finalized' | 'aborted' | 'kept';

/** Writes queued behind the one on the disk, written together (see TmpBlockWriter.write). */
interface WriteBatch {
  items: Array<{ data: Buffer | readonly Buffer[]; chunkCrcs: number[] | undefined; verified?: boolean }>;
  bytes: number;
  done: Promise<void>;
}

/** What a writer needs from its store, without widening the store's public surface. */
interface WriterHooks {
  /** The writer's files in tmp/. */
  tmp: { data: string; meta: string };
  /** Renames the fsynced tmp files into current/ and records the block (cleans up current/ on failure). */
  commit(record: BlockRecord, tmp: { data: string; meta: string }): Promise<void>;
  /** Renames the fsynced tmp files into rbw/ and records the replica being written. */
  keep(record: BlockRecord, tmp: { data: string; meta: string }): Promise<void>;
  /** Frees the block id for createWriter again (after finalize or abort). */
  release(): void;
  /** A write failed: the store decides whether the error may mean a failing volume. */
  ioError(err: unknown): void;
}

class TmpBlockWriter implements BlockWriter {
  private state: WriterState = 'open';
  private written = 0;
  private chunksWritten = 0;
  /** Running CRC32C and length of the trailing partial chunk (its bytes are already on disk). */
  private carryCrc = 0;
  private carryBytes = 0;
  private handles: { data: fsp.FileHandle; meta: fsp.FileHandle } | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  /** The batch waiting for its turn (not started yet); later writes join it. */
  private queued: WriteBatch | undefined;
  /** CRCs of completed chunks not yet in the meta file (at most META_FLUSH_CRCS + one batch's). */
  private metaPending: number[] = [];

  constructor(
    readonly blockId: number,
    readonly generationStamp: number,
    private readonly bytesPerChecksum: number,
    private readonly hooks: WriterHooks,
  ) {}

  get bytesWritten(): number {
    return this.written;
  }

  /**
   * Packets that arrive while an earlier write is on the disk, or in the same event-loop turn (a
   * batch starts only after the turn it was opened in: a socket read often hands over several
   * packets at once), join one queued batch and go down in
   * a single writev (plus one meta write) when it is their turn: a pipeline then costs one
   * thread-pool round trip per batch instead of two per 64 KiB packet, which on a busy 2-core box
   * was the whole write throughput (a serial chain of event-loop wake-ups). The batch is bounded by
   * Limits.maxCoalescedWriteBytes; every write's promise settles with its batch.
   */
  write(data: Buffer | readonly Buffer[], chunkCrcs?: number[], verified = false): Promise<void> {
    const length = byteLength(data);
    const queued = this.queued;
    if (queued && queued.bytes + length <= Limits.maxCoalescedWriteBytes) {
      queued.items.push({ data, chunkCrcs, verified });
      queued.bytes += length;
      return queued.done;
    }
    const batch: WriteBatch = { items: [{ data, chunkCrcs, verified }], bytes: length, done: Promise.resolve() };
    batch.done = this.serialize(() => new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      if (this.queued === batch) this.queued = undefined;
      return this.failSafe(() => this.writeBatch(batch.items));
    }));
    this.queued = batch;
    return batch.done;
  }

  finalize(): Promise<StoredBlock> {
    this.queued = undefined; // a write after this must not join a batch that runs before it
    return this.serialize(() => this.failSafe(() => this.finalizeNow()));
  }

  abort(): Promise<void> {
    this.queued = undefined;
    return this.serialize(() => this.abortNow());
  }

  keepPartial(): Promise<StoredBlock | undefined> {
    this.queued = undefined;
    return this.serialize(() => this.keepPartialNow());
  }

  /** Runs operations one at a time in call order, whatever the caller awaits. */
  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async failSafe<T>(operation: () => Promise<T>): Promise<T> {
    if (this.state !== 'open') throw new DfsError('FILE_NOT_OPEN', `block ${this.blockId} writer is ${this.state}`);
    try {
      return await operation();
    } catch (err) {
      this.hooks.ioError(err);
      await this.abortNow().catch(() => undefined);
      throw err;
    }
  }

  private async open(): Promise<{ data: fsp.FileHandle; meta: fsp.FileHandle }> {
    if (this.handles) return this.handles;
    const tmp = this.hooks.tmp;
    const data = await fsp.open(tmp.data, 'w');
    let meta: fsp.FileHandle;
    try {
      meta = await fsp.open(tmp.meta, 'w');
    } catch (err) {
      await data.close();
      throw err;
    }
    this.handles = { data, meta };
    await writeFully(meta, encodeMetaHeader(this.bytesPerChecksum), 0);
    return this.handles;
  }

  /** Checks and checksums each item in order, then writes all their bytes and CRCs at once. */
  private async writeBatch(items: WriteBatch['items']): Promise<void> {
    const buffers: Buffer[] = [];
    const completed: number[] = [];
    let bytes = 0;
    for (const item of items) {
      this.checksumInto(item.data, item.chunkCrcs, completed, item.verified);
      if (Buffer.isBuffer(item.data)) {
        if (item.data.length > 0) buffers.push(item.data);
        bytes += item.data.length;
      } else {
        for (const piece of item.data) {
          if (piece.length > 0) buffers.push(piece);
          bytes += piece.length;
        }
      }
    }
    if (bytes === 0) return;
    const handles = await this.open();
    await writevFully(handles.data, buffers, this.written);
    for (const crc of completed) this.metaPending.push(crc);
    if (this.metaPending.length >= META_FLUSH_CRCS) await this.flushMeta(handles.meta);
    this.written += bytes;
  }

  /** Writes the CRCs held back since the last meta write. */
  private async flushMeta(meta: fsp.FileHandle): Promise<void> {
    const crcs = this.metaPending;
    this.metaPending = [];
    await this.appendCrcs(meta, crcs);
  }

  /**
   * Verifies the sender's CRCs of `data` (if given) and appends the CRCs of the block chunks it
   * completes to `completed`, carrying a trailing partial chunk over to the next call.
   */
  private checksumInto(input: Buffer | readonly Buffer[], senderCrcs: number[] | undefined, completed: number[], verified = false): void {
    const bytesPerChecksum = this.bytesPerChecksum;
    const inputBytes = byteLength(input);
    // The sender's CRCs, once checked, are this packet's chunk CRCs.
    const packetCrcs = senderCrcs?.map((crc) => crc >>> 0);
    if (packetCrcs !== undefined) {
      const needed = Math.ceil(inputBytes / bytesPerChecksum);
      if (packetCrcs.length !== needed) {
        throw new InvalidArgumentError(`block ${this.blockId}: packet of ${inputBytes} bytes needs ${needed} chunk CRCs, got ${packetCrcs.length}`);
      }
      const bad = verified ? -1 : firstBadChunk(input, packetCrcs, bytesPerChecksum);
      if (bad >= 0) {
        throw new ChecksumMismatchError(`block ${this.blockId}: checksum mismatch in packet chunk ${bad} (block bytes ${this.written + bad * bytesPerChecksum}..)`);
      }
    }
    if (inputBytes === 0) return;
    if (packetCrcs !== undefined && this.carryBytes === 0) {
      // Aligned packet with checked CRCs: they are the block's chunk CRCs; its bytes are not read.
      for (let k = 0, position = 0; position < inputBytes; k += 1, position += bytesPerChecksum) {
        if (inputBytes - position >= bytesPerChecksum) completed.push(packetCrcs[k]!);
        else {
          this.carryCrc = packetCrcs[k]!;
          this.carryBytes = inputBytes - position;
        }
      }
      return;
    }
    const data = Buffer.isBuffer(input) ? input : Buffer.concat(input, inputBytes);

    // Block CRCs: finish the carried partial chunk, then whole chunks, then carry the remainder.
    let position = 0;
    if (this.carryBytes > 0) {
      const take = Math.min(bytesPerChecksum - this.carryBytes, data.length);
      this.carryCrc = crc32c(data.subarray(0, take), this.carryCrc);
      this.carryBytes += take;
      position = take;
      if (this.carryBytes === bytesPerChecksum) {
        completed.push(this.carryCrc);
        this.carryCrc = 0;
        this.carryBytes = 0;
      }
    }
    for (; position < data.length; position += bytesPerChecksum) {
      const length = Math.min(bytesPerChecksum, data.length - position);
      const crc = crc32c(data.subarray(position, position + length));
      if (length === bytesPerChecksum) completed.push(crc);
      else {
        this.carryCrc = crc;
        this.carryBytes = length;
      }
    }
  }

  private async appendCrcs(meta: fsp.FileHandle, crcs: number[]): Promise<void> {
    if (crcs.length === 0) return;
    await writeFully(meta, encodeCrcs(crcs), META_HEADER_BYTES + this.chunksWritten * CRC_BYTES);
    this.chunksWritten += crcs.length;
  }

  private finalizeNow(): Promise<StoredBlock> {
    return this.closeOut((record, tmp) => this.hooks.commit(record, tmp), 'finalized');
  }

  private async keepPartialNow(): Promise<StoredBlock | undefined> {
    if (this.state !== 'open') return undefined;
    if (this.written === 0) {
      await this.abortNow();
      return undefined;
    }
    try {
      return await this.closeOut((record, tmp) => this.hooks.keep(record, tmp), 'kept');
    } catch (err) {
      this.hooks.ioError(err);
      await this.abortNow().catch(() => undefined);
      return undefined;
    }
  }

  /** Completes the meta file (the trailing partial chunk's CRC too), fsyncs both files and hands them to `move`. */
  private async closeOut(move: WriterHooks['commit'], state: 'finalized' | 'kept'): Promise<StoredBlock> {
    const handles = await this.open();
    if (this.carryBytes > 0) {
      this.metaPending.push(this.carryCrc);
      this.carryBytes = 0;
    }
    await this.flushMeta(handles.meta);
    await handles.data.sync();
    await handles.meta.sync();
    await this.closeHandles();
    const record: BlockRecord = { blockId: this.blockId, generationStamp: this.generationStamp, lengthBytes: this.written, bytesPerChecksum: this.bytesPerChecksum };
    await move(record, this.hooks.tmp);
    this.state = state;
    this.hooks.release();
    return publicView(record);
  }

  private async abortNow(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    try {
      await this.closeHandles().catch(() => undefined);
      await unlinkIfPresent(this.hooks.tmp.data);
      await unlinkIfPresent(this.hooks.tmp.meta);
    } finally {
      this.hooks.release();
    }
  }

  private async closeHandles(): Promise<void> {
    const handles = this.handles;
    this.handles = undefined;
    if (!handles) return;
    try {
      await handles.data.close();
    } finally {
      await handles.meta.close();
    }
  }
}
