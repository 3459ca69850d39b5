/**
 * Throwaway PKI for TLS tests, made with the `openssl` command line (the recipe of
 * docs/SECURITY.md): a CA, one node certificate for 127.0.0.1/localhost signed by it (used by
 * every node and the client, as server and client certificate), and a second CA with its own
 * certificate to play an outsider.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestPki {
  ca: string;
  cert: string;
  key: string;
  /** A certificate + key signed by another CA. */
  rogueCert: string;
  rogueKey: string;
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function issue(dir: string, name: string, caName: string): void {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  fs.writeFileSync(path.join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
  run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2',
    '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

function makeCa(dir: string, name: string): void {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`, '-days', '2', '-out', `${name}.crt`],
    { cwd: dir, stdio: 'pipe' });
}

export function makeTestPki(dir: string): TestPki {
  fs.mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca');
  issue(dir, 'node', 'ca');
  makeCa(dir, 'rogue-ca');
  issue(dir, 'rogue', 'rogue-ca');
  const p = (f: string) => path.join(dir, f);
  return { ca: p('ca.crt'), cert: p('node.crt'), key: p('node.key'), rogueCert: p('rogue.crt'), rogueKey: p('rogue.key') };
}
