'use strict';
/**
 * Added delay for the chaos suite: this kernel has no netem, so delay is a userspace TCP proxy
 * (after ../shared/tools/grpc-baseline/delay-proxy.js). One process serves several named routes;
 * each holds every chunk `delayMs` in each direction and never reorders (a chunk's due time is
 * max(now + delay, the previous chunk's due time)), so lowering the delay cannot overtake data
 * already queued. The delay of a route changes at runtime via a JSON line on stdin:
 *   {"route":"dn1","delayMs":300}
 * and the proxy answers {"event":"delay","route":"dn1","delayMs":300} on stdout.
 *
 * Plain JavaScript (not TS) because it runs as its own process, inside a network namespace, both
 * under jest (which compiles TS in memory only) and under `npm run chaos`.
 *
 *   node delay-proxy.js --route NAME,LISTEN_HOST,LISTEN_PORT,TARGET_HOST,TARGET_PORT [--route ...]
 * Prints {"event":"ready","routes":[{"name","port"}]} once every route listens (port 0 = any).
 */
const net = require('node:net');
const readline = require('node:readline');

const routes = new Map();
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--route') throw new Error(`unknown argument ${args[i]}`);
  const [name, listenHost, listenPort, targetHost, targetPort] = args[++i].split(',');
  routes.set(name, { name, listenHost, listenPort: Number(listenPort), targetHost, targetPort: Number(targetPort), delayMs: 0, port: 0 });
}

function delayedPipe(route, from, to) {
  const queue = [];
  let timer = null;
  let lastDue = 0;
  let ended = false;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length && queue[0].due <= now) to.write(queue.shift().chunk);
    if (queue.length) timer = setTimeout(flush, queue[0].due - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk) => {
    if (route.delayMs <= 0 && queue.length === 0) {
      to.write(chunk);
      return;
    }
    const due = Math.max(performance.now() + route.delayMs, lastDue);
    lastDue = due;
    queue.push({ due, chunk });
    if (!timer) timer = setTimeout(flush, Math.max(0, due - performance.now()));
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0) to.end();
  });
}

function listen(route) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((downstream) => {
      const upstream = net.connect(route.targetPort, route.targetHost);
      downstream.setNoDelay(true);
      upstream.setNoDelay(true);
      delayedPipe(route, downstream, upstream);
      delayedPipe(route, upstream, downstream);
      const kill = () => { downstream.destroy(); upstream.destroy(); };
      downstream.on('error', kill);
      upstream.on('error', kill);
      downstream.on('close', kill);
      upstream.on('close', kill);
    });
    server.once('error', reject);
    server.listen(route.listenPort, route.listenHost, () => {
      route.port = server.address().port;
      resolve();
    });
  });
}

Promise.all([...routes.values()].map(listen)).then(() => {
  process.stdout.write(`${JSON.stringify({ event: 'ready', routes: [...routes.values()].map((r) => ({ name: r.name, port: r.port })) })}\n`);
}, (err) => {
  process.stderr.write(`delay-proxy: ${err.message}\n`);
  process.exit(1);
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const msg = JSON.parse(line);
    const route = routes.get(msg.route);
    if (!route) throw new Error(`no route ${msg.route}`);
    route.delayMs = Math.max(0, Number(msg.delayMs) || 0);
    process.stdout.write(`${JSON.stringify({ event: 'delay', route: route.name, delayMs: route.delayMs })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ event: 'error', error: err.message })}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
