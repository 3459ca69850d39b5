/**
 * A bounded cache of gRPC clients keyed by address, least recently used closed first: a
 * long-lived DataNode that has talked to many peers does not keep every socket. Used for the
 * data-transfer clients (PeerClients) and the gossip clients (MembershipAgent).
 */
export class ClientCache<C extends { close(): void }> {
  private readonly clients = new Map<string, C>();

  constructor(
    /** Clients kept open at once; beyond it the least recently used one is closed. */
    private readonly maxClients: number,
    private readonly create: (address: string) => C,
    private readonly onEvict: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** The client for `address`, created on first use; marks it most recently used. */
  get(address: string): C {
    let client = this.clients.get(address);
    if (client) {
      this.clients.delete(address); // refresh recency: Map iteration order is insertion order
    } else {
      client = this.create(address);
      while (this.clients.size >= this.maxClients) {
        const [oldest, old] = this.clients.entries().next().value as [string, C];
        this.clients.delete(oldest);
        old.close();
        this.onEvict();
      }
    }
    this.clients.set(address, client);
    return client;
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
