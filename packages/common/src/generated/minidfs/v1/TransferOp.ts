// Original file: proto/minidfs/v1/data_transfer.proto

export const TransferOp = {
  TRANSFER_OP_UNSPECIFIED: 'TRANSFER_OP_UNSPECIFIED',
  TRANSFER_OP_WRITE: 'TRANSFER_OP_WRITE',
  TRANSFER_OP_READ: 'TRANSFER_OP_READ',
  TRANSFER_OP_REPLICATE: 'TRANSFER_OP_REPLICATE',
} as const;

export type TransferOp =
  | 'TRANSFER_OP_UNSPECIFIED'
  | 0
  | 'TRANSFER_OP_WRITE'
  | 1
  | 'TRANSFER_OP_READ'
  | 2
  | 'TRANSFER_OP_REPLICATE'
  | 3

export type TransferOp__Output = typeof TransferOp[keyof typeof TransferOp]
