/**
 * Preloaded into a DataNode by bench/profile-data-path.ts (`NODE_OPTIONS=--require <this file>`;
 * Node 20 refuses --cpu-prof in NODE_OPTIONS): profiles the whole process with node:inspector and
 * writes `<MINIDFS_CPU_PROF_DIR>/<pid>.cpuprofile` when it exits normally (SIGTERM -> exit 0).
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.MINIDFS_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // An in-thread session answers synchronously.
    session.post('Profiler.stop', (err, result) => {
      if (!err) fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
