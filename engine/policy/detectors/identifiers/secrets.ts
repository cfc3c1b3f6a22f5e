// Credentials pasted into mail, in the spirit of gitleaks' rules: each prefix is the issuer's documented
// token format, so a match is high confidence on its own; the issuer's page is the specification.
import { headSample, regexIdentifier, type Confidence, type Identifier } from './identifier.js';

// Tokens are runs of [A-Za-z0-9_-]: a match must not be cut out of a longer run.
const TB = '(?<![A-Za-z0-9_-])';
const TA = '(?![A-Za-z0-9_-])';
const token = (body: string): RegExp => new RegExp(`${TB}(?:${body})${TA}`, 'g');

interface SecretSpec {
  readonly name: string;
  readonly description: string;
  readonly pattern: RegExp;
  readonly head: number | ((value: string) => string);
  readonly example: string;
  readonly spec: string;
  readonly validate?: (m: RegExpExecArray) => Confidence | undefined;
  readonly keywords?: readonly string[];
  readonly withKeyword?: Confidence;
  readonly levels?: readonly Confidence[];
}

const secret = (s: SecretSpec): Identifier =>
  regexIdentifier({
    name: s.name,
    description: s.description,
    sets: ['secrets'],
    checksum: false,
    pattern: s.pattern,
    validate: s.validate ?? (() => 'high'),
    keywords: s.keywords,
    window: 100,
    withKeyword: s.withKeyword,
    sample: typeof s.head === 'number' ? headSample(s.head) : s.head,
    levels: s.levels ?? ['high'],
    example: s.example,
    spec: s.spec,
  });

export const privateKey = secret({
  name: 'private-key',
  description: 'PEM/OpenSSH/PGP private key block header (RSA, EC, DSA, OPENSSH, ENCRYPTED, PKCS#8).',
  pattern: /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/g,
  head: 64,
  example: '-----BEGIN PRIVATE KEY-----',
  spec: 'RFC 7468 §10-11 (PKCS#8 PEM labels); RFC 4880 §6.2 (PGP armor); OpenSSH PROTOCOL.key',
});

export const awsAccessKeyId = secret({
  name: 'aws-access-key-id',
  description: 'AWS access key ID (AKIA… long-term, ASIA… temporary): prefix and 16 base32 characters.',
  pattern: token('(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}'),
  head: 4,
  example: 'AKIAIOSFODNN7EXAMPLE',
  spec: 'AWS IAM User Guide, "Understanding unique ID prefixes" (AKIA, ASIA)',
});

/** Shannon entropy in bits per character: a 40-character secret is random, a word run is not. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

export const awsSecretAccessKey = secret({
  name: 'aws-secret-access-key',
  description: 'AWS secret access key: 40 random base64 characters; high only next to words like aws_secret_access_key.',
  pattern: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  validate: (m) => (/[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && /\d/.test(m[0]) && entropy(m[0]) > 4.2 ? 'low' : undefined),
  keywords: ['aws_secret_access_key', 'secret_access_key', 'secretaccesskey', 'aws secret', 'secret access key'],
  withKeyword: 'high',
  levels: ['low', 'high'],
  head: 0,
  example: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  spec: 'AWS IAM User Guide, "Managing access keys" (40-character secret access key)',
});

export const gcpApiKey = secret({
  name: 'gcp-api-key',
  description: 'Google Cloud / Google API key: AIza and 35 characters.',
  pattern: token('AIza[0-9A-Za-z_-]{35}'),
  head: 4,
  example: 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe',
  spec: 'Google Cloud, "Manage API keys" (API key format)',
});

export const azureStorageKey = secret({
  name: 'azure-storage-key',
  description: 'Azure storage account key in a connection string (AccountKey= and 88 base64 characters).',
  pattern: /AccountKey=[A-Za-z0-9+/]{86}==/g,
  head: 11,
  example: 'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  spec: 'Microsoft Learn, "Configure Azure Storage connection strings" (AccountKey)',
});

export const githubToken = secret({
  name: 'github-token',
  description: 'GitHub token: ghp_/gho_/ghu_/ghs_/ghr_ and 36 characters, or a fine-grained github_pat_ token.',
  pattern: token('gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}'),
  head: 4,
  example: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  spec: 'GitHub Docs, "About authentication to GitHub" (token prefixes); GitHub blog 2021-04-05 (token format)',
});

export const gitlabToken = secret({
  name: 'gitlab-token',
  description: 'GitLab personal, project or runner token (glpat-, glrt-, gldt-, glptt- prefixes).',
  pattern: token('(?:glpat|glrt|gldt|glptt|glcbt)-[A-Za-z0-9_-]{20,64}'),
  head: 6,
  example: 'glpat-xKz8f3Hq2bN5mT7vR9wY',
  spec: 'GitLab Docs, "Token overview" (token prefixes)',
});

export const slackToken = secret({
  name: 'slack-token',
  description: 'Slack API token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-).',
  pattern: token('xox[abeprs]-[0-9A-Za-z-]{10,250}'),
  // real tokens carry a numeric workspace/user id segment
  validate: (m) => (/-\d{6,}-/.test(m[0]) || /-\d{6,}$/.test(m[0]) ? 'high' : undefined),
  head: 5,
  example: 'xoxb-2176524837-1093852715326-Mvt4DXqBn9YzCpLhQ2eRwK7s',
  spec: 'Slack API docs, "Token types" (xoxb, xoxp, xoxe prefixes)',
});

export const slackWebhook = secret({
  name: 'slack-webhook',
  // Matched by the URL's shape (a hooks.* host, then the workspace T… and channel B… ids and a 24-char secret),
  // so the pattern names no real host and still catches the provider's webhooks.
  description: 'Slack incoming-webhook URL (https://hooks.<provider>/services/T…/B…/secret).',
  pattern: /https:\/\/hooks\.[a-z0-9.-]{3,64}\/services\/T[A-Z0-9]{6,12}\/B[A-Z0-9]{6,12}\/[A-Za-z0-9]{24}\b/g,
  head: 32,
  example: 'https://hooks.example.com/services/T0ABCDEFG/B0ABCDEFG/q1w2e3r4t5y6u7i8o9p0a1s2',
  spec: 'Slack API docs, "Sending messages using incoming webhooks"',
});

/** A base64url segment that decodes to a JSON object (RFC 7515 §7.1 compact serialisation). */
function jsonSegment(seg: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const jwt = secret({
  name: 'jwt',
  description: 'JSON Web Token: header.payload.signature whose header decodes to JSON with "alg"; unsigned (alg none) is medium.',
  pattern: token('eyJ[A-Za-z0-9_-]{8,2000}\\.eyJ[A-Za-z0-9_-]{2,8000}\\.[A-Za-z0-9_-]{0,2000}'),
  validate: (m) => {
    const [header = '', payload = '', signature = ''] = m[0].split('.');
    const h = jsonSegment(header);
    if (h === undefined || typeof h.alg !== 'string' || jsonSegment(payload) === undefined) return undefined;
    return h.alg.toLowerCase() === 'none' || signature === '' ? 'medium' : 'high';
  },
  levels: ['medium', 'high'],
  head: 12,
  example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  spec: 'RFC 7519 (JWT); RFC 7515 §3.1, §7.1 (JWS compact serialisation)',
});

export const stripeKey = secret({
  name: 'stripe-key',
  description: 'Stripe secret or restricted API key (sk_live_, rk_live_; test-mode keys are medium).',
  pattern: token('(?:sk|rk)_(live|test)_[0-9A-Za-z]{24,247}'),
  validate: (m) => (m[1] === 'live' ? 'high' : 'medium'),
  levels: ['medium', 'high'],
  head: 8,
  example: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  spec: 'Stripe Docs, "API keys" (sk_/rk_ live and test prefixes)',
});

export const npmToken = secret({
  name: 'npm-token',
  description: 'npm access token: npm_ and 36 characters.',
  pattern: token('npm_[A-Za-z0-9]{36}'),
  head: 4,
  example: 'npm_Ab3dE5gH7jK9mN1pQ3rS5tU7vW9xY1zA3bC5',
  spec: 'npm Docs, "About access tokens" (npm_ prefix)',
});

export const sendgridKey = secret({
  name: 'sendgrid-api-key',
  description: 'SendGrid API key: SG. and two base64url segments (22 and 43 characters).',
  pattern: token('SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}'),
  head: 3,
  example: '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',
  spec: 'Twilio SendGrid Docs, "API keys" (SG. key format)',
});

export const passwordInUrl = secret({
  name: 'password-in-url',
  description: 'Credentials embedded in a URL (scheme://user:password@host).',
  pattern: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:@/<>"']{1,64}:[^\s:@/<>"']{1,64}@[A-Za-z0-9.-]{1,253}/g,
  validate: (m) => (/:\/\/[^:]+:\*+@/.test(m[0]) ? undefined : 'high'),
  head: (v) => v.replace(/:\/\/.*/, '://***:***@***'),
  example: 'postgres://app:s3cr3tPass@db.example.com/prod',
  spec: 'RFC 3986 §3.2.1 (userinfo; "user:password" is deprecated)',
});

export const SECRET_IDENTIFIERS = [
  privateKey,
  awsAccessKeyId,
  awsSecretAccessKey,
  gcpApiKey,
  azureStorageKey,
  githubToken,
  gitlabToken,
  slackToken,
  slackWebhook,
  jwt,
  stripeKey,
  npmToken,
  sendgridKey,
  passwordInUrl,
];
