/**
 * Entry point of a forked loadgen worker (processes.ts): runs one LoadGenerator for the slice in
 * its `init` message and answers the coordinator over IPC. Exits when the coordinator goes away.
 */
import { createLogger } from '@minidfs/common';
import { LoadGenerator } from './load-generator';
import type { FromWorker, ToWorker } from './processes';

const send = (m: FromWorker) => { if (process.connected) process.send?.(m); };
let gen: LoadGenerator | undefined;

process.on('message', (m: ToWorker) => {
  void (async () => {
    try {
      if (m.type === 'init') {
        const logger = createLogger('loadgen', { worker: m.config.firstIndex });
        if (!process.env.MINIDFS_LOG_LEVEL) logger.level = 'warn';
        gen = new LoadGenerator(m.config, logger);
      } else if (m.type === 'start') {
        if (!gen) throw new Error('start before init');
        await gen.start();
        send({ type: 'started' });
      } else if (m.type === 'snapshot') {
        if (!gen) throw new Error('snapshot before init');
        send({ type: 'snapshot', id: m.id, snapshot: gen.snapshot() });
      } else if (m.type === 'stop') {
        await gen?.stop(m.goodbye);
        send({ type: 'stopped' });
        process.disconnect();
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
