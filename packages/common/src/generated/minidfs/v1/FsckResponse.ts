// Original file: proto/minidfs/v1/client_protocol.proto


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
}
