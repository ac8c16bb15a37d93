#!/usr/bin/env node
// kakunin's test Sigstore instance: Sigstore's own mock services (npm @sigstore/mock: Fulcio,
// Rekor v1/v2, TSA) served over plain HTTP on loopback, with the fixed test keys and
// certificates of fixtures/test-sigstore/ and a clock the tests control.
//
//   node server.js [--port N] [--time ISO-8601] [--out DIR] [--watch-stdin]
//
// When listening it prints one JSON line on stdout: {"url": "http://127.0.0.1:PORT", ...}.
// With --out it also writes trusted_root.json, signing_config.json (Rekor v1 + TSA),
// signing_config.rekor2.json (Rekor v2 + TSA) and trust_config.json (sigstore-python's
// --trust-config) into DIR. It runs until SIGTERM/SIGINT, or with --watch-stdin until its
// stdin closes (so a test harness that dies takes it along).
//
// Endpoints (the real services' HTTP APIs):
//   POST /api/v2/signingCert            Fulcio
//   POST /api/v1/log/entries            Rekor v1 (hashedrekord 0.0.1, dsse 0.0.1)
//   POST /rekor-v2/api/v2/log/entries   Rekor v2 (hashedrekord 0.0.2, dsse 0.0.2)
//   POST /api/v1/timestamp              RFC 3161 TSA (DER timestamp-query or JSON)
//   GET  /trusted_root.json, /signing_config.json, /signing_config.rekor2.json, /trust_config.json
// Test control (not part of Sigstore):
//   POST /__control {"time": ISO-8601 | null, "fail": {"fulcio"|"rekor"|"tsa": STATUS | null}}
//
// What this instance adds around the mock, as the real services do: Fulcio refuses an
// expired or not-yet-valid identity token and a wrong proof of possession, and for a GitHub
// Actions token names the certificate after `job_workflow_ref` (for a GitLab CI token, after
// `https://` + `ci_config_ref_uri`, with Fulcio's GitLab claim extensions); Rekor v1 stores a DSSE entry
// in its canonical form (envelope and payload hashes, signature + verifier) after checking the
// signature; the TSA answers DER requests and echoes their nonce. Identity tokens are not
// signature-checked: tests mint unsigned ones.
'use strict';

require('reflect-metadata');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const asn1js = require('asn1js');
const pkijs = require('pkijs');
const x509 = require('@peculiar/x509');
const inst = require('./instance');

// The mock makes its root certificates on the fly from the current time; ours are fixed.
const rootCert = require('@sigstore/mock/dist/util/root-cert');
const certs = { ca: inst.loadCert('ca'), 'tsa-root': inst.loadCert('tsa-root'), tsa: inst.loadCert('tsa') };
const byName = { [inst.CA_NAME]: certs.ca, [inst.TSA_ROOT_NAME]: certs['tsa-root'] };
rootCert.createRootCertificate = async (name, keyPair) => {
  if (!byName[name]) throw new Error(`no committed root certificate for ${name}`);
  return { cert: new x509.X509Certificate(byName[name]), keyPair };
};
rootCert.createIntermediateCertificate = async (subject, _issuer, keyPair) => {
  if (subject !== inst.TSA_LEAF_NAME) throw new Error(`no committed certificate for ${subject}`);
  return { cert: new x509.X509Certificate(certs.tsa), keyPair };
};
const mock = require('@sigstore/mock');

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const MAX_BODY = 4 * 1024 * 1024;

function parseArgs(argv) {
  const args = { port: 0, time: null, out: null, watchStdin: false };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--port': args.port = Number(next()); break;
      case '--time': args.time = next(); break;
      case '--out': args.out = next(); break;
      case '--watch-stdin': args.watchStdin = true; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return args;
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
const pae = (type, payload) =>
  Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function decodeJwt(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) throw new HttpError(401, 'identity token is not a JWT');
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new HttpError(401, 'identity token payload is not JSON');
  }
}

const unsignedJwt = (claims) =>
  [{ alg: 'none', typ: 'JWT' }, claims].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') + '.';

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const clock = new Date();
  const state = { fixed: args.time !== null, fail: {} };
  if (state.fixed) clock.setTime(Date.parse(args.time));
  const now = () => {
    if (!state.fixed) clock.setTime(Date.now());
    return clock;
  };

  const keys = Object.fromEntries(inst.KEYS.map((name) => [name, inst.loadKey(name)]));
  const ctlog = await mock.initializeCTLog(keys.ctlog, clock);
  const ca = await mock.initializeCA(keys.ca, ctlog, clock);
  const tlog = await mock.initializeTLog('http://rekor.test-sigstore.kakunin.invalid', keys.tlog, clock);
  const tlog2 = await mock.initializeTLog('http://rekor-v2.test-sigstore.kakunin.invalid', keys.tlog2, clock);
  const tsa = await mock.initializeTSA(keys.tsa, clock);
  // The mock encodes the nonce from a JS number (sigstore clients send 64-bit nonces) and
  // genTime with milliseconds (DER GeneralizedTime as the Sigstore TSA writes it has none).
  const tstInfo = tsa.tstInfo.bind(tsa);
  tsa.tstInfo = (req) => {
    const info = tstInfo({ ...req, nonce: 0 });
    info.genTime = new Date(Math.floor(clock.getTime() / 1000) * 1000);
    if (req.nonceInteger) info.nonce = req.nonceInteger;
    else delete info.nonce;
    return info;
  };

  const fulcio = mock.fulcioHandler(ca, { subjectClaim: 'kakunin_san' });
  const rekor = mock.rekorHandler(tlog);

  async function signingCert(body) {
    const request = JSON.parse(body);
    const claims = decodeJwt(request?.credentials?.oidcIdentityToken);
    const t = now().getTime();
    if (typeof claims.exp !== 'number') throw new HttpError(401, 'identity token has no exp');
    if (claims.exp * 1000 <= t) {
      throw new HttpError(401, `identity token expired at ${new Date(claims.exp * 1000).toISOString()} (now ${new Date(t).toISOString()})`);
    }
    if (typeof claims.nbf === 'number' && claims.nbf * 1000 > t) throw new HttpError(401, 'identity token not yet valid');
    let san;
    let gitlab = null;
    if (claims.iss === GITHUB_ISSUER) {
      if (!claims.job_workflow_ref) throw new HttpError(400, 'GitHub Actions token without job_workflow_ref');
      san = `https://github.com/${claims.job_workflow_ref}`;
    } else if (typeof claims.ci_config_ref_uri === 'string') {
      // A GitLab CI id_token: Fulcio's GitLab mapping (docs/oid-info.md).
      san = `https://${claims.ci_config_ref_uri}`;
      gitlab = gitlabExtensions(claims, san);
    } else if (typeof claims.sub === 'string' && /^[a-z]+:\/\//.test(claims.sub)) {
      san = claims.sub;
    } else {
      throw new HttpError(400, 'this test instance issues certificates for GitHub Actions tokens or URI subjects only');
    }
    // Proof of possession: the requester signed the token's identity (email or sub).
    const pkr = request.publicKeyRequest;
    if (!pkr?.publicKey?.content || !pkr.proofOfPossession) throw new HttpError(400, 'publicKeyRequest with proofOfPossession required');
    const identity = claims.email ?? claims.sub ?? '';
    const ok = crypto.verify('sha256', Buffer.from(identity), pkr.publicKey.content, Buffer.from(pkr.proofOfPossession, 'base64'));
    if (!ok) throw new HttpError(400, 'proof of possession does not verify');
    if (gitlab) {
      const der = Buffer.from(pkr.publicKey.content.replace(/-{5}(BEGIN|END) .*-{5}/gm, '').replace(/\s/gm, ''), 'base64');
      const leaf = await ca.issueCertificate({ publicKey: der, subjectAltName: san, extensions: gitlab });
      const pem = (d) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(d).toString('base64')}\n-----END CERTIFICATE-----\n`;
      const response = JSON.stringify({
        signedCertificateEmbeddedSct: { chain: { certificates: [pem(leaf), pem(ca.rootCertificate)] } },
      });
      return { statusCode: 201, response, contentType: 'application/json' };
    }
    request.credentials.oidcIdentityToken = unsignedJwt({ ...claims, kakunin_san: san });
    return fulcio.fn(JSON.stringify(request));
  }

  // Fulcio's certificate extensions for a GitLab CI token (1.3.6.1.4.1.57264.1.8 and on).
  function gitlabExtensions(c, san) {
    const oid = (n) => `1.3.6.1.4.1.57264.1.${n}`;
    const server = c.iss.replace(/\/$/, '');
    const ref = c.ref_type === 'tag' ? `refs/tags/${c.ref}` : `refs/heads/${c.ref}`;
    const ext = [
      { oid: oid(1), value: c.iss, legacy: true },
      { oid: oid(8), value: c.iss },
      { oid: oid(9), value: san },
      { oid: oid(10), value: c.ci_config_sha },
      { oid: oid(11), value: c.runner_environment },
      { oid: oid(12), value: `${server}/${c.project_path}` },
      { oid: oid(13), value: c.sha },
      { oid: oid(14), value: ref },
      { oid: oid(15), value: c.project_id },
      { oid: oid(16), value: `${server}/${c.namespace_path}` },
      { oid: oid(17), value: c.namespace_id },
      { oid: oid(18), value: san },
      { oid: oid(19), value: c.ci_config_sha },
      { oid: oid(20), value: c.pipeline_source },
      { oid: oid(21), value: `${server}/${c.project_path}/-/jobs/${c.job_id}` },
      { oid: oid(22), value: c.project_visibility },
    ];
    return ext.filter((e) => typeof e.value === 'string' && e.value !== '');
  }

  function verifierKey(verifierB64) {
    return crypto.createPublicKey(Buffer.from(verifierB64, 'base64').toString('utf8'));
  }

  // Rekor stores a verifier as canonical PEM (64-column lines, one trailing newline), base64.
  function canonicalVerifier(verifierB64) {
    const pem = Buffer.from(verifierB64, 'base64').toString('utf8');
    const canonical = /BEGIN CERTIFICATE/.test(pem)
      ? new crypto.X509Certificate(pem).toString()
      : crypto.createPublicKey(pem).export({ type: 'spki', format: 'pem' });
    return Buffer.from(canonical).toString('base64');
  }

  // Rekor v1 stores a DSSE entry in canonical form, not as proposed.
  async function logEntryV1(body) {
    const proposed = JSON.parse(body);
    if (proposed.kind === 'dsse') {
      const content = proposed?.spec?.proposedContent;
      if (!content || typeof content.envelope !== 'string' || !Array.isArray(content.verifiers)) {
        throw new HttpError(400, 'dsse entry needs spec.proposedContent.envelope and verifiers');
      }
      const envelope = JSON.parse(content.envelope);
      const payload = Buffer.from(envelope.payload, 'base64');
      const signed = pae(envelope.payloadType, payload);
      const signatures = envelope.signatures.map((s) => {
        const verifier = content.verifiers.find((v) => {
          const key = verifierKey(v);
          const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
          return crypto.verify(alg, signed, key, Buffer.from(s.sig, 'base64'));
        });
        if (!verifier) throw new HttpError(400, 'a DSSE signature does not verify with any verifier');
        return { signature: Buffer.from(s.sig, 'base64').toString('base64'), verifier: canonicalVerifier(verifier) };
      });
      const canonical = {
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(content.envelope)).toString('hex') },
          payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
          signatures,
        },
      };
      return rekor.fn(JSON.stringify(canonical));
    }
    if (proposed.kind === 'hashedrekord') {
      const spec = proposed.spec || {};
      const hash = spec?.data?.hash;
      const sig = spec?.signature;
      if (!hash?.value || !sig?.content || !sig?.publicKey?.content) {
        throw new HttpError(400, 'hashedrekord entry needs spec.data.hash and spec.signature with publicKey');
      }
      const canonical = {
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: hash.algorithm || 'sha256', value: hash.value } },
          signature: {
            content: Buffer.from(sig.content, 'base64').toString('base64'),
            publicKey: { content: canonicalVerifier(sig.publicKey.content) },
          },
        },
      };
      return rekor.fn(JSON.stringify(canonical));
    }
    throw new HttpError(400, `unsupported entry kind ${proposed.kind}`);
  }

  // Rekor v2: the canonical bodies of hashedrekord/dsse 0.0.2, in protobuf JSON.
  async function logEntryV2(body) {
    const request = JSON.parse(body);
    let kind;
    let canonical;
    if (request.hashedRekordRequestV002) {
      const r = request.hashedRekordRequestV002;
      kind = 'hashedrekord';
      canonical = {
        apiVersion: '0.0.2',
        kind,
        spec: { hashedRekordV002: { data: { algorithm: 'SHA2_256', digest: r.digest }, signature: r.signature } },
      };
    } else if (request.dsseRequestV002) {
      const r = request.dsseRequestV002;
      kind = 'dsse';
      const payload = Buffer.from(r.envelope.payload, 'base64');
      canonical = {
        apiVersion: '0.0.2',
        kind,
        spec: {
          dsseV002: {
            payloadHash: { algorithm: 'SHA2_256', digest: sha256(payload).toString('base64') },
            signatures: r.envelope.signatures.map((s, i) => ({ content: s.sig, verifier: r.verifiers[i] })),
          },
        },
      };
    } else {
      throw new HttpError(400, 'expected hashedRekordRequestV002 or dsseRequestV002');
    }
    const e = await tlog2.logV2(canonical);
    const b64 = (b) => Buffer.from(b).toString('base64');
    // The mock proves inclusion in a one-leaf tree: the entry is leaf 0 of it.
    const entry = {
      logIndex: '0',
      logId: { keyId: b64(e.logId.keyId) },
      kindVersion: { kind, version: '0.0.2' },
      integratedTime: '0',
      canonicalizedBody: b64(e.canonicalizedBody),
      inclusionProof: {
        logIndex: '0',
        rootHash: b64(e.inclusionProof.rootHash),
        treeSize: e.inclusionProof.treeSize,
        hashes: [],
        checkpoint: e.inclusionProof.checkpoint,
      },
    };
    return { statusCode: 201, response: JSON.stringify(entry), contentType: 'application/json' };
  }

  async function timestamp(body, contentType) {
    let req;
    if (/json/.test(contentType)) {
      const json = JSON.parse(body.toString('utf8'));
      req = {
        artifactHash: Buffer.from(json.artifactHash, 'base64'),
        hashAlgorithmOID: '2.16.840.1.101.3.4.2.1',
        nonceInteger: json.nonce !== undefined ? new asn1js.Integer({ value: json.nonce }) : undefined,
        policyOID: json.tsaPolicyOID || '1.3.6.1.4.1.57264.2',
        certReq: json.certificates ?? false,
      };
    } else {
      let tsq;
      try {
        tsq = pkijs.TimeStampReq.fromBER(new Uint8Array(body));
      } catch (e) {
        throw new HttpError(400, `not a DER TimeStampReq: ${e.message}`);
      }
      req = {
        artifactHash: Buffer.from(tsq.messageImprint.hashedMessage.valueBlock.valueHexView),
        hashAlgorithmOID: tsq.messageImprint.hashAlgorithm.algorithmId,
        nonceInteger: tsq.nonce,
        policyOID: tsq.reqPolicy || '1.3.6.1.4.1.57264.2',
        certReq: tsq.certReq ?? false,
      };
    }
    const der = await tsa.timestamp(req);
    return { statusCode: 201, response: der, contentType: 'application/timestamp-reply' };
  }

  let base = null;
  const documents = () => {
    const root = JSON.parse(fs.readFileSync(path.join(inst.FIXTURES, 'trusted_root.json'), 'utf8'));
    const signing = inst.signingConfig(base, 1);
    return {
      'trusted_root.json': root,
      'signing_config.json': signing,
      'signing_config.rekor2.json': inst.signingConfig(base, 2),
      'trust_config.json': inst.clientTrustConfig(root, signing),
    };
  };

  const routes = {
    'POST /api/v2/signingCert': ['fulcio', (b) => signingCert(b.toString('utf8'))],
    'POST /api/v1/log/entries': ['rekor', (b) => logEntryV1(b.toString('utf8'))],
    'POST /rekor-v2/api/v2/log/entries': ['rekor', (b) => logEntryV2(b.toString('utf8'))],
    'POST /api/v1/timestamp': ['tsa', (b, ct) => timestamp(b, ct)],
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end('request body too large');
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const reply = (status, response, contentType = 'text/plain') => {
        res.writeHead(status, { 'Content-Type': contentType });
        res.end(response);
      };
      try {
        const url = new URL(req.url, 'http://localhost');
        const key = `${req.method} ${url.pathname}`;
        if (req.method === 'GET' && documents()[url.pathname.slice(1)]) {
          return reply(200, JSON.stringify(documents()[url.pathname.slice(1)], null, 2), 'application/json');
        }
        if (key === 'POST /__control') {
          const control = JSON.parse(body.toString('utf8') || '{}');
          if ('time' in control) {
            state.fixed = control.time !== null;
            if (state.fixed) clock.setTime(Date.parse(control.time));
          }
          for (const [service, status] of Object.entries(control.fail || {})) {
            if (status === null) delete state.fail[service];
            else state.fail[service] = status;
          }
          return reply(200, JSON.stringify({ time: now().toISOString(), fixed: state.fixed, fail: state.fail }), 'application/json');
        }
        const route = routes[key];
        if (!route) return reply(404, `no route for ${key}`);
        const [service, handler] = route;
        if (state.fail[service]) return reply(state.fail[service], `${service} is failing (test control)`);
        now();
        const out = await handler(body, req.headers['content-type'] || '');
        reply(out.statusCode, out.response, out.contentType);
      } catch (e) {
        reply(e.status || 400, e.message);
      }
    });
  });

  server.listen(args.port, '127.0.0.1', () => {
    base = `http://127.0.0.1:${server.address().port}`;
    if (args.out) {
      fs.mkdirSync(args.out, { recursive: true });
      for (const [name, doc] of Object.entries(documents())) {
        fs.writeFileSync(path.join(args.out, name), JSON.stringify(doc, null, 2) + '\n');
      }
    }
    process.stdout.write(JSON.stringify({ url: base, pid: process.pid, out: args.out }) + '\n');
  });

  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (args.watchStdin) {
    // Started by a test harness: exit when it goes away (its end of our stdin closes).
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

main().catch((e) => {
  console.error(`test sigstore instance: ${e.stack || e}`);
  process.exit(1);
});
