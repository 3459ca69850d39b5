/** Where the repository is, whether this file runs from source (jest) or compiled under .tsbuild/. */
import fs from 'node:fs';
import path from 'node:path';

export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'test/chaos/delay-proxy.js')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`repository root not found above ${__dirname}`);
  }
}

/** The CLI entry point every spawned node runs (`npm test` / `npm run bench` build it first). */
export const CLI_PATH = (): string => path.join(repoRoot(), 'packages/cli/dist/main.js');
