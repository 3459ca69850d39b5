// Original file: proto/minidfs/v1/client_protocol.proto

import type { OpenFile as _minidfs_v1_OpenFile, OpenFile__Output as _minidfs_v1_OpenFile__Output } from '../../minidfs/v1/OpenFile';

export interface FsckResponse {
  'path'?: (string);
  'files'?: (number);
  'blocks'?: (number);
  'underReplicated'?: (number);
  'overReplicated'?: (number);
  'missing'?: (number);
  'corrupt'?: (number);
  'pendingReplications'?: (number);
  'healthy'?: (boolean);
  'noTarget'?: (number);
  'openForWrite'?: (number);
  'openFiles'?: (string)[];
  'misReplicated'?: (number);
  'openFileLeases'?: (_minidfs_v1_OpenFile)[];
}

export interface FsckResponse__Output {
  'path': (string);
  'files': (number);
  'blocks': (number);
  'underReplicated': (number);
  'overReplicated': (number);
  'missing': (number);
  'corrupt': (number);
  'pendingReplications': (number);
  'healthy': (boolean);
  'noTarget': (number);
  'openForWrite': (number);
  'openFiles': (string)[];
  'misReplicated': (number);
  'openFileLeases': (_minidfs_v1_OpenFile__Output)[];
}
