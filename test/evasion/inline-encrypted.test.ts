// Encrypted text pasted into a message: an OpenPGP message in ASCII armour ("-----BEGIN PGP MESSAGE-----") in a
// text or HTML body, or inside a text file after other text. What it holds cannot be read, so the part is
// unscannable (encrypted), as a PGP/MIME part or an .asc file already was (sniff.ts reads a file's first bytes
// only). Before, such a block in a body passed as ordinary text. Clear-signed text and public keys are no
// encrypted content and stay clean.
import { analysisSuite, b64, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';

const ARMOUR = '-----BEGIN PGP MESSAGE-----\n\nhQEMA5bxLzS6j6LRAQf/X0c8Zb1vQ2iSx4kGmE1Xn9YV0sR3bqPpW8c2A7m4aH5t\nuF3rYwLq9nJ0dKk6s1oZxQ8c0vB2eT7gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3aB4\n=Kx3n\n-----END PGP MESSAGE-----';

const VARIANTS: readonly Variant[] = [
  { name: 'an armoured PGP message in a text body', build: () => single('Content-Type: text/plain', `here is the export\n\n${ARMOUR}\n`), expect: { unscannable: 'encrypted', detail: /OpenPGP/ }, smtp: true },
  { name: 'the same quoted in a reply ("> " before each line)', build: () => single('Content-Type: text/plain', `see below\n\n${ARMOUR.split('\n').map((l) => `> ${l}`).join('\n')}\n`), expect: { unscannable: 'encrypted' } },
  { name: 'the same in an HTML body (<pre>)', build: () => single('Content-Type: text/html', `<html><body><p>the export</p><pre>${ARMOUR}</pre></body></html>`), expect: { unscannable: 'encrypted' } },
  { name: 'the same at the end of a 1.2 MB text body (scanned in windows)', build: () => single('Content-Type: text/plain', `${'quarterly report of the north region, all figures attached\n'.repeat(20_000)}${ARMOUR}\n`), expect: { unscannable: 'encrypted' } },
  { name: 'the same inside a text file, after a line of prose', build: () => inMultipart('Content-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\nContent-Transfer-Encoding: base64', b64(`notes for the meeting\n${ARMOUR}\n`)), expect: { unscannable: 'encrypted' } },
  { name: 'control: a clear-signed message (its text is in the clear)', build: () => single('Content-Type: text/plain', '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nall fine\n-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n'), expect: 'clean', smtp: true },
  { name: 'control: a public key block', build: () => single('Content-Type: text/plain', 'my key:\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n'), expect: 'clean' },
];

analysisSuite('evasion: encrypted text pasted into a message (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: encrypted text pasted into a message', 'inline-encrypted', VARIANTS);
