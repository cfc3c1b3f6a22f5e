// Spain: DNI/NIF and NIE. Check letter: Real Decreto 1553/2005 (DNI) and Orden INT/2058/2008
// (NIE): the number mod 23 indexes TRWAGMYFPDXBNJZSQVHLCKE; NIE prefixes X, Y, Z stand for 0, 1, 2.
import { regexIdentifier, word } from './identifier.js';

const LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

export const nifLetter = (n: number): string => LETTERS[n % 23] ?? '';

export const esNif = regexIdentifier({
  name: 'es-nif',
  description: 'Spanish DNI/NIF: 8 digits and a mod 23 check letter.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['medium'],
  pattern: word('(\\d{8})[ -]?([A-Z])'),
  validate: (m) => (nifLetter(Number(m[1])) === m[2] ? 'medium' : undefined),
  keywords: ['dni', 'nif', 'documento nacional', 'identidad', 'número de identificación fiscal', 'nº dni'],
  example: '12345678Z',
  spec: 'Real Decreto 1553/2005 (DNI), Ministerio del Interior: check letter = number mod 23',
});

export const esNie = regexIdentifier({
  name: 'es-nie',
  description: 'Spanish NIE (foreigner identity number): X, Y or Z, 7 digits and a mod 23 check letter.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['medium'],
  pattern: word('([XYZ])[ -]?(\\d{7})[ -]?([A-Z])'),
  validate: (m) => (nifLetter(Number('XYZ'.indexOf(m[1] ?? '') + (m[2] ?? ''))) === m[3] ? 'medium' : undefined),
  keywords: ['nie', 'número de identidad de extranjero', 'extranjero', 'tie', 'residencia'],
  example: 'X1234567L',
  spec: 'Orden INT/2058/2008 (NIE), check letter as DNI with X=0, Y=1, Z=2',
});

export const ES_IDENTIFIERS = [esNif, esNie];
