/**
 * Failed volumes (HDFS DiskChecker / FsVolume failure): which I/O errors may mean the disk under
 * the data dir is failing rather than one file being bad, and the error a failed volume answers with.
 * A volume is judged failed only by BlockStore.checkVolume() (an error of one of these kinds
 * triggers a check; the check decides), and stays failed until the DataNode restarts.
 */
import { DfsError } from '@minidfs/common';

/** Error codes that may mean the disk under the data dir is failing, not that one replica is bad. */
export const VOLUME_ERROR_CODES: ReadonlySet<string> = new Set(['EIO', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENXIO', 'ENODEV', 'ESTALE']);

export function isVolumeError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && VOLUME_ERROR_CODES.has(code);
}

/** The store's volume failed its check: no replica is served or written on it until a restart. */
export class VolumeFailedError extends DfsError {
  override readonly name = 'VolumeFailedError';
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}
