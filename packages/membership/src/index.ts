/**
 * @minidfs/membership: SWIM-style peer membership among DataNodes. A pure core
 * (SwimMember) driven by the caller's clock and seeded randomness; transports (gRPC adapter,
 * the in-memory SimNetwork) ship its messages. See docs/GOSSIP.md.
 */
export * from './broadcast-queue';
export * from './config';
export * from './limits';
export * from './messages';
export * from './swim-member';
export * from './testing';
