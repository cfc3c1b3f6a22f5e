// Positive and negative vectors for network, phone, wallet and secret identifiers. Sources: the RFCs
// and issuer documentation cited in each identifier's file, BIP-173/BIP-350 and EIP-55 test vectors,
// Presidio's crypto and e-mail vectors, and gitleaks-style token shapes (values here are made up).
import { describe } from 'vitest';
import { runVectors, type Vectors } from '../../../../test/helpers/identifier-vectors.js';

const OTHER: readonly Vectors[] = [
  {
    name: 'email',
    valid: ['write to jane.doe@example.com today', '<info+dlp@mail.example.org>', 'x@example.co.uk.'],
    invalid: ['jane.doe@localhost', 'user@@example.com', 'me@example.c', '@example.com', 'a..b@example.com'],
  },
  {
    name: 'ipv4',
    valid: ['server 192.0.2.44', '10.0.0.1,', 'from 255.255.255.255.'],
    invalid: ['256.1.1.1', '1.2.3.4.5', 'version 01.02.03.04', '192.168.1'],
  },
  {
    name: 'ipv6',
    valid: ['2001:db8:85a3::8a2e:370:7334', 'host ::1', 'fe80::1ff:fe23:4567:890a.', '::ffff:192.0.2.128'],
    invalid: ['12:30:45', '2001:db8::85a3::1', '00:1A:2B:3C:4D:5E', 'dead:beef'],
  },
  {
    name: 'mac-address',
    valid: ['00:1A:2B:3C:4D:5E', 'mac 00-1a-2b-3c-4d-5e', '001a.2b3c.4d5e'],
    invalid: ['00:1A:2B:3C:4D', '00:1A:2B-3C:4D:5E', '00:1A:2B:3C:4D:5E:6F', 'GG:1A:2B:3C:4D:5E'],
  },
  {
    name: 'phone-number',
    valid: ['call +44 20 7946 0958', 'tel: +1 202-555-0143', '+49 30 901820'],
    invalid: ['+1 555 0100 1', 'order 2024-0001-7788', '+44 12'],
  },
  {
    name: 'bitcoin-address',
    // Presidio's and BIP-173/350's vectors
    valid: [
      '16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ',
      '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297',
      'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
    ],
    invalid: [
      '16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ2',
      '16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyX',
      '8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189',
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5',
      'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    ],
  },
  {
    name: 'ethereum-address',
    // EIP-55's vectors; an all-lower-case address has no checksum and is still an address (medium)
    valid: [
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
      'My Ethereum wallet is 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
      '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
      '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed',
    ],
    invalid: ['0xdbF03B407c01E7cD3CBea99509d93f8DDdC8C6FB', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00'],
  },
  {
    name: 'private-key',
    valid: ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA', '-----BEGIN OPENSSH PRIVATE KEY-----', '-----BEGIN PGP PRIVATE KEY BLOCK-----', '-----BEGIN EC PRIVATE KEY-----'],
    invalid: ['-----BEGIN PUBLIC KEY-----', '-----BEGIN CERTIFICATE-----', 'BEGIN PRIVATE KEY'],
  },
  {
    name: 'aws-access-key-id',
    valid: ['AKIAIOSFODNN7EXAMPLE', 'key=ASIAY34FZKBOKMUTVV7A;'],
    invalid: ['AKIAIOSFODNN7EXAMPL', 'AKIAIOSFODNN7EXAMPLE1', 'XKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN1EXAMPLE'],
  },
  {
    name: 'aws-secret-access-key',
    valid: ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    invalid: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1', 'abcdefghijabcdefghijabcdefghijabcdefghij'],
  },
  {
    name: 'gcp-api-key',
    valid: ['key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe'],
    invalid: ['AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQ', 'AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQeX'],
  },
  {
    name: 'azure-storage-key',
    valid: ['DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;'],
    invalid: ['AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMG==', 'AccountKey=;'],
  },
  {
    name: 'github-token',
    valid: ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'token gho_16C7e42F292c6912E7710c838347Ae178B4a', `github_pat_${'A1b2C3d4E5'.repeat(8)}xy`],
    invalid: ['ghp_16C7e42F292c6912E7710c838347Ae178B4', 'ghx_16C7e42F292c6912E7710c838347Ae178B4a', 'ghp_16C7e42F292c6912E7710c838347Ae178B4ab'],
  },
  {
    name: 'gitlab-token',
    valid: ['glpat-xKz8f3Hq2bN5mT7vR9wY', 'glrt-t1_AbCdEfGhIjKlMnOpQrSt'],
    invalid: ['glpat-short', 'xglpat-xKz8f3Hq2bN5mT7vR9wY'],
  },
  {
    name: 'slack-token',
    valid: ['xoxb-2176524837-1093852715326-Mvt4DXqBn9YzCpLhQ2eRwK7s', 'xoxp-1234567890-1234567890123-abcdefABCDEF'],
    invalid: ['xoxb-not-a-token-at-all', 'xoxq-2176524837-1093852715326-Mvt4DXqBn9Yz'],
  },
  {
    name: 'slack-webhook',
    valid: ['POST https://hooks.example.com/services/T0ABCDEFG/B0ABCDEFG/q1w2e3r4t5y6u7i8o9p0a1s2'],
    invalid: ['https://hooks.example.com/services/', 'https://hooks.example.com/services/T0ABCDEFG/B0ABCDEFG/short', 'https://example.com/services/T0ABCDEFG/B0ABCDEFG/q1w2e3r4t5y6u7i8o9p0a1s2'],
  },
  {
    name: 'jwt',
    valid: [
      'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ],
    // the second header decodes to JSON without "alg"
    invalid: ['eyJhbGciOiJIUzI1NiIsInR5cCI6.eyJzdWIiOiIxMjM0.abc', 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln'],
  },
  {
    name: 'stripe-key',
    valid: ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'rk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    invalid: ['pk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_short'],
  },
  {
    name: 'npm-token',
    valid: ['//registry.example.org/:_authToken=npm_Ab3dE5gH7jK9mN1pQ3rS5tU7vW9xY1zA3bC5'],
    invalid: ['npm_Ab3dE5gH7jK9mN1pQ3rS5tU7vW9xY1zA3bC', 'npm_install'],
  },
  {
    name: 'sendgrid-api-key',
    valid: ['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'],
    invalid: ['SG.ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf', 'SG.short.short'],
  },
  {
    name: 'password-in-url',
    valid: ['postgres://app:s3cr3tPass@db.example.com/prod', 'see https://bob:hunter2@git.example.org/repo.git'],
    invalid: ['https://git.example.org/repo.git', 'mailto:bob@example.org', 'https://bob:***@git.example.org'],
  },
];

describe('network, phone, wallet and secret identifiers', () => runVectors(OTHER));
