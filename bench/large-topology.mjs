// The large benchmark config (2,000 upstreams, 500 receivers, 2,000 routes, 200 policies in 4 files), shared by
// bench/graph.mjs (build and lookup times) and bench/reload.mjs (a real gateway reloading it). The listener and
// admin ports are parameters, so a spawned gateway can bind free loopback ports.
// Run `npm run build` first: the CA certificate is made with dist/tls/ca.js.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, generateRsaKeyPem } from '../dist/tls/ca.js';

export const UPSTREAMS = 2000;
export const RECEIVERS = 500;
export const ROUTES = 2000;
export const POLICIES = 200;
export const POLICY_FILES = 4;

/** Address blocks that never overlap: /32 in 10/8, /24 in 172.16/12, /64 in 2001:db8::/32. */
export function upstreamBlock(i) {
  switch (i % 3) {
    case 0:
      return `10.${(i >> 8) & 255}.${i & 255}.1/32`;
    case 1:
      return `172.${16 + ((i >> 8) & 15)}.${i & 255}.0/24`;
    default:
      return `2001:db8:${i.toString(16)}::/64`;
  }
}

/** An address inside the i-th upstream's block. */
export function upstreamAddress(i) {
  switch (i % 3) {
    case 0:
      return `10.${(i >> 8) & 255}.${i & 255}.1`;
    case 1:
      return `172.${16 + ((i >> 8) & 15)}.${i & 255}.${(i * 7) & 255}`;
    default:
      return `2001:db8:${i.toString(16)}::${(i * 13).toString(16)}`;
  }
}

/**
 * topology.yaml text. `firstReceiverPort` (default 20001) is the port of receiver mx-1: changing it is a real,
 * one-field topology change for reload benchmarks.
 */
export function largeTopologyYaml({ listenPort = 10025, adminPort, firstReceiverPort = 20001 } = {}) {
  const lines = ['version: 1', 'gateway:', '  hostname: gw.example.test', `  listen: [{ address: 127.0.0.1, port: ${listenPort} }]`];
  if (adminPort !== undefined) lines.push(`  admin: { address: 127.0.0.1, port: ${adminPort} }`);
  lines.push('  loop: { secretFile: loop.secret }', 'upstreams:');
  for (let i = 0; i < UPSTREAMS; i++) {
    lines.push(`  - { name: up-${i}, addresses: ["${upstreamBlock(i)}"], mode: forward, tls: { starttls: disabled } }`);
  }
  lines.push('receivers:');
  // One receiver with TLS and a trust list: the compile still builds its context and trust store.
  lines.push('  - { name: mx-tls, host: 127.0.0.1, port: 19999, tls: { starttls: required, trust: [ca.crt.pem], serverName: mx.example.test } }');
  for (let i = 1; i < RECEIVERS; i++) lines.push(`  - { name: mx-${i}, host: 127.0.0.1, port: ${i === 1 ? firstReceiverPort : 20000 + i}, tls: { starttls: disabled } }`);
  lines.push('routes:');
  for (let i = 0; i < ROUTES - 1; i++) {
    const receiver = i % RECEIVERS === 0 ? 'mx-tls' : `mx-${i % RECEIVERS}`;
    lines.push(`  - { domains: ["d${i}.example.test", "*.d${i}.example.test"], receivers: [${receiver}] }`);
  }
  lines.push('  - { domains: ["*"], receivers: [mx-tls] }');
  return `${lines.join('\n')}\n`;
}

/** One policy file; `variant` changes one keyword of the first policy (a real change, same size class). */
export function largePolicyYaml(file, count = POLICIES / POLICY_FILES, variant = '') {
  const lines = ['version: 1', 'policies:'];
  for (let i = 0; i < count; i++) {
    const extra = i === 0 && variant !== '' ? `, "rev-${variant}"` : '';
    lines.push(`  - { name: p-${file}-${i}, severity: medium, match: { keywords: { words: ["secret-${file}-${i}", "codeword-${i}"${extra}] } }, action: { type: block } }`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the whole config directory (topology, policy files, CA, loop secret, empty tests/). */
export function writeLargeConfig(dir, opts = {}) {
  mkdirSync(join(dir, 'tests'), { recursive: true });
  const ca = createCertificateAuthority({ commonName: 'bench CA', key: generateRsaKeyPem() });
  writeFileSync(join(dir, 'ca.crt.pem'), ca.certPem);
  writeFileSync(join(dir, 'loop.secret'), 'bench loop secret\n');
  writeFileSync(join(dir, 'topology.yaml'), largeTopologyYaml(opts));
  for (let f = 0; f < POLICY_FILES; f++) writeFileSync(join(dir, `bench-${f}.policy.yaml`), largePolicyYaml(f));
  return dir;
}
