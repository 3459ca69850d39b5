/** Free TCP ports on 127.0.0.1 for tests that start `minidfs cluster` (which needs a contiguous DataNode range). */
import net from 'node:net';

async function portsFree(ports: number[]): Promise<boolean> {
  for (const port of ports) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (!ok) return false;
  }
  return true;
}

/** A port layout for `minidfs cluster --datanodes n` (data ports dn.., metrics dn+100..) whose every port is free now. */
export async function freeClusterPorts(n: number): Promise<{ rpc: number; http: number; dn: number; args: string[] }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const rpc = base, http = base + 1, dn = base + 10;
    const all = [rpc, http, ...Array.from({ length: n }, (_, i) => [dn + i, dn + i + 100]).flat()];
    if (await portsFree(all)) return { rpc, http, dn, args: ['--rpc-port', String(rpc), '--http-port', String(http), '--datanode-port', String(dn)] };
  }
  throw new Error('no free port range found');
}

