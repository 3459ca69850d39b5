/**
 * The Node.js the Docker image runs (Dockerfile `FROM node:NN-...`) satisfies every installed
 * package's `engines.node`, so an image build prints no EBADENGINE warning and no dependency runs
 * on a Node it does not support. A dependency bump that needs a newer Node fails here first.
 */
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { repoRoot } from '../support/paths';

describe('engines', () => {
  it("every package in package-lock.json accepts the Docker image's Node major", () => {
    const root = repoRoot();
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const majors = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    expect(majors.length).toBeGreaterThan(0);
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    for (const major of new Set(majors)) {
      // The running Node when it is that major (CI, this machine); else the major's first release.
      const version = semver.major(process.version) === major ? process.version : `${major}.0.0`;
      const refusing = Object.entries(lock.packages)
        .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node && !semver.satisfies(version, p.engines.node))
        .map(([name, p]) => `${name}@${p.version} wants node ${(p.engines as { node: string }).node}`);
      expect({ node: version, refusing }).toEqual({ node: version, refusing: [] });
    }
  });
});
