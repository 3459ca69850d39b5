/** @minidfs/client: the DfsClient library (reads, writes, namespace) arrives with the blocks issue. */
export {};
