#!/usr/bin/env node
// Generates TypeScript types for proto/minidfs/v1/*.proto with @grpc/proto-loader's own generator
// into packages/common/src/generated. `--check` regenerates into a temp dir and fails when the
// checked-in files differ (run by CI), so the types can never drift from the contract.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const protoRoot = path.join(root, 'proto');
const target = path.join(root, 'packages/common/src/generated');
const check = process.argv.includes('--check');

const protos = fs.readdirSync(path.join(protoRoot, 'minidfs/v1')).filter((f) => f.endsWith('.proto')).sort()
  .map((f) => `minidfs/v1/${f}`);
const out = check ? fs.mkdtempSync(path.join(os.tmpdir(), 'minidfs-proto-')) : target;
if (!check) fs.rmSync(target, { recursive: true, force: true });
// Options must match PROTO_LOADER_OPTIONS in packages/common/src/proto.ts.
execFileSync(process.execPath, [
  require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
  '--grpcLib=@grpc/grpc-js', '--longs=Number', '--enums=String', '--defaults', '--oneofs',
  `--includeDirs=${protoRoot}`, `--outDir=${out}`, ...protos,
], { stdio: 'inherit', cwd: protoRoot });

function listFiles(dir) {
  return fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}
// The generator writes the absolute proto path into each header; make it clone-independent.
for (const f of listFiles(out)) {
  const file = path.join(out, f);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(protoRoot + path.sep).join('proto/'));
}
if (check) {
  const a = listFiles(out); const b = fs.existsSync(target) ? listFiles(target) : [];
  const diff = [...new Set([...a, ...b])].filter((f) =>
    !a.includes(f) || !b.includes(f) || fs.readFileSync(path.join(out, f), 'utf8') !== fs.readFileSync(path.join(target, f), 'utf8'));
  fs.rmSync(out, { recursive: true, force: true });
  if (diff.length) {
    console.error(`generated proto types are stale (run npm run proto:gen): ${diff.join(', ')}`);
    process.exit(1);
  }
  console.log('generated proto types match proto/');
}
