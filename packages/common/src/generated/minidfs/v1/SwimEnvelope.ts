// Original file: proto/minidfs/v1/membership.proto


export interface SwimEnvelope {
  'message'?: (Buffer | Uint8Array | string);
  'mac'?: (Buffer | Uint8Array | string);
}

export interface SwimEnvelope__Output {
  'message': (Buffer);
  'mac': (Buffer);
}
