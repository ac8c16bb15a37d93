// kakunin's test Sigstore instance: the key material and the trust documents.
//
// Test-only. Every key here is derived deterministically from a public seed, so anyone can
// sign as this instance: it must never be trusted outside tests. The certificates are made
// once by `node generate.js` and committed under fixtures/test-sigstore/ (ECDSA signatures
// are randomised, so regenerating changes their bytes but not their keys, names or validity).
'use strict';

require('reflect-metadata');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const x509 = require('@peculiar/x509');
const { Crypto } = require('@peculiar/webcrypto');

const FIXTURES = path.resolve(__dirname, '../../fixtures/test-sigstore');
const SEED = 'kakunin test sigstore instance (public, test-only)';

// Names the mock hard-codes into what it issues (the Fulcio leaf's issuer, the TSA's signer).
const CA_NAME = 'CN=sigstore,O=sigstore.mock';
const TSA_ROOT_NAME = 'CN=tsa,O=sigstore.mock';
const TSA_LEAF_NAME = 'CN=tsa signing,O=sigstore.mock';

// Validity of the instance: certificates, keys and service URLs.
const VALID_FROM = new Date('2020-01-01T00:00:00Z');
const VALID_UNTIL = new Date('2045-01-01T00:00:00Z');

// The services and their keys. `tlog` is the Rekor v1 log, `tlog2` the Rekor v2 log.
const KEYS = ['ca', 'ctlog', 'tlog', 'tlog2', 'tsa-root', 'tsa'];

/** Derives the P-256 private key `name` from the public seed (deterministic). */
function deriveKey(name) {
  const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  for (let counter = 0; ; counter++) {
    const d = crypto.createHash('sha256').update(`${SEED}/${name}/${counter}`).digest();
    const k = BigInt('0x' + d.toString('hex'));
    if (k === 0n || k >= n) continue;
    const ecdh = crypto.createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const pub = ecdh.getPublicKey();
    const b64u = (b) => Buffer.from(b).toString('base64url');
    const privateKey = crypto.createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: b64u(d), x: b64u(pub.subarray(1, 33)), y: b64u(pub.subarray(33, 65)) },
      format: 'jwk',
    });
    return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
  }
}

/** Loads the committed key `name` (PKCS#8 PEM) as a Node key pair. */
function loadKey(name) {
  const pem = fs.readFileSync(path.join(FIXTURES, 'keys', `${name}.pem`), 'utf8');
  const privateKey = crypto.createPrivateKey(pem);
  return { privateKey, publicKey: crypto.createPublicKey(privateKey) };
}

function loadCert(name) {
  return fs.readFileSync(path.join(FIXTURES, 'certs', `${name}.der`));
}

const spki = (keyPair) => keyPair.publicKey.export({ format: 'der', type: 'spki' });
const logId = (keyPair) => crypto.createHash('sha256').update(spki(keyPair)).digest();

async function toCryptoKeys(keyPair, webcrypto) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' };
  return {
    privateKey: await webcrypto.subtle.importKey('jwk', keyPair.privateKey.export({ format: 'jwk' }), alg, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('jwk', keyPair.publicKey.export({ format: 'jwk' }), alg, true, ['verify']),
  };
}

/** Makes the CA root, the TSA root and the TSA signing certificate (DER). */
async function makeCertificates(keys) {
  const webcrypto = new Crypto();
  const ca = await toCryptoKeys(keys.ca, webcrypto);
  const tsaRoot = await toCryptoKeys(keys['tsa-root'], webcrypto);
  const tsa = await toCryptoKeys(keys.tsa, webcrypto);
  const sha384 = { name: 'ECDSA', hash: 'SHA-384' };
  const root = async (serial, name, pair) =>
    x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: serial,
        name,
        notBefore: VALID_FROM,
        notAfter: VALID_UNTIL,
        signingAlgorithm: sha384,
        keys: pair,
        extensions: [
          new x509.BasicConstraintsExtension(true, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.keyCertSign, true),
          await x509.SubjectKeyIdentifierExtension.create(pair.publicKey, false, webcrypto),
          await x509.AuthorityKeyIdentifierExtension.create(pair.publicKey, false, webcrypto),
        ],
      },
      webcrypto,
    );
  const caCert = await root('01', CA_NAME, ca);
  const tsaRootCert = await root('01', TSA_ROOT_NAME, tsaRoot);
  const tsaLeafCert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '02',
      subject: TSA_LEAF_NAME,
      issuer: TSA_ROOT_NAME,
      notBefore: VALID_FROM,
      notAfter: VALID_UNTIL,
      signingAlgorithm: sha384,
      publicKey: tsa.publicKey,
      signingKey: tsaRoot.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
        await x509.SubjectKeyIdentifierExtension.create(tsa.publicKey, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(tsaRoot.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return {
    ca: Buffer.from(caCert.rawData),
    'tsa-root': Buffer.from(tsaRootCert.rawData),
    tsa: Buffer.from(tsaLeafCert.rawData),
  };
}

const b64 = (b) => Buffer.from(b).toString('base64');
const validFor = () => ({ start: VALID_FROM.toISOString().replace('.000Z', 'Z') });

function transparencyLog(baseUrl, keyPair) {
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(spki(keyPair)), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: validFor() },
    logId: { keyId: b64(logId(keyPair)) },
  };
}

/** The instance's trusted_root.json (protobuf-specs TrustedRoot v0.1). */
function trustedRoot(keys, certs) {
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      transparencyLog('http://rekor.test-sigstore.kakunin.invalid', keys.tlog),
      transparencyLog('http://rekor-v2.test-sigstore.kakunin.invalid', keys.tlog2),
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: 'http://fulcio.test-sigstore.kakunin.invalid',
        certChain: { certificates: [{ rawBytes: b64(certs.ca) }] },
        validFor: validFor(),
      },
    ],
    ctlogs: [transparencyLog('http://ctfe.test-sigstore.kakunin.invalid', keys.ctlog)],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: 'http://tsa.test-sigstore.kakunin.invalid',
        certChain: { certificates: [{ rawBytes: b64(certs.tsa) }, { rawBytes: b64(certs['tsa-root']) }] },
        validFor: validFor(),
      },
    ],
  };
}

/**
 * The signing_config.json (protobuf-specs SigningConfig v0.2) of an instance listening at
 * `base` (e.g. http://127.0.0.1:PORT). `rekor` chooses the log: 1 (default) or 2.
 */
function signingConfig(base, rekor = 1) {
  const endpoint = (url, major) => ({ url, majorApiVersion: major, validFor: validFor(), operator: 'kakunin-test' });
  return {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [endpoint(base, 1)],
    oidcUrls: [],
    rekorTlogUrls: rekor === 2 ? [endpoint(`${base}/rekor-v2`, 2)] : [endpoint(base, 1)],
    tsaUrls: [endpoint(`${base}/api/v1/timestamp`, 1)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
}

/** sigstore-python's --trust-config document (ClientTrustConfig v0.1). */
function clientTrustConfig(root, signing) {
  return {
    mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json',
    trustedRoot: root,
    signing_config: signing,
  };
}

module.exports = {
  FIXTURES,
  KEYS,
  CA_NAME,
  TSA_ROOT_NAME,
  TSA_LEAF_NAME,
  VALID_FROM,
  VALID_UNTIL,
  deriveKey,
  loadKey,
  loadCert,
  makeCertificates,
  trustedRoot,
  signingConfig,
  clientTrustConfig,
};
