#!/usr/bin/env node
// Regenerates fixtures/test-sigstore/: the instance's keys (derived from a public seed, so the
// same on every run), its root certificates and trusted_root.json.
//
//   node generate.js          write everything (certificates get new signature bytes)
//   node generate.js --check  exit 1 unless the committed keys are the ones the seed derives
'use strict';

const fs = require('fs');
const path = require('path');
const inst = require('./instance');

async function main() {
  const check = process.argv.includes('--check');
  const keys = Object.fromEntries(inst.KEYS.map((name) => [name, inst.deriveKey(name)]));
  const pem = (k) => k.privateKey.export({ format: 'pem', type: 'pkcs8' });
  if (check) {
    for (const name of inst.KEYS) {
      const committed = fs.readFileSync(path.join(inst.FIXTURES, 'keys', `${name}.pem`), 'utf8');
      if (committed !== pem(keys[name])) {
        console.error(`keys/${name}.pem is not the key the seed derives`);
        process.exit(1);
      }
    }
    console.error('test-sigstore keys match the seed');
    return;
  }
  fs.mkdirSync(path.join(inst.FIXTURES, 'keys'), { recursive: true });
  fs.mkdirSync(path.join(inst.FIXTURES, 'certs'), { recursive: true });
  for (const name of inst.KEYS) {
    fs.writeFileSync(path.join(inst.FIXTURES, 'keys', `${name}.pem`), pem(keys[name]));
  }
  const certs = await inst.makeCertificates(keys);
  for (const [name, der] of Object.entries(certs)) {
    fs.writeFileSync(path.join(inst.FIXTURES, 'certs', `${name}.der`), der);
  }
  const root = inst.trustedRoot(keys, certs);
  fs.writeFileSync(path.join(inst.FIXTURES, 'trusted_root.json'), JSON.stringify(root, null, 2) + '\n');
  console.error(`wrote ${inst.FIXTURES}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
