// Positive and negative vectors for the national, tax, health and bank identifiers. Sources: the
// specifications cited in each identifier's file, the issuers' published examples, and Microsoft
// Presidio's recognizer test vectors (where a Presidio vector contradicts the specification, the
// specification wins and the row says so).
import { describe } from 'vitest';
import { runVectors, type Vectors } from '../../../../test/helpers/identifier-vectors.js';

const NATIONAL: readonly Vectors[] = [
  {
    name: 'credit-card',
    valid: ['4111 1111 1111 1111', '5500-0000-0000-0004', 'amex 378282246310005 exp 12/29', '6011111111111117', '3530111333300000', '30569309025904'],
    invalid: ['4111 1111 1111 1112', '1234 5678 1234 5678', 'order 4111111111111111111111', '9111111111111111'],
  },
  {
    name: 'iban',
    valid: ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'pay FR14 2004 1010 0505 0001 3M02 606 today', 'NL91ABNA0417164300.'],
    invalid: ['DE89 3704 0044 0532 0130 01', 'GB82 WEST 1234 5698 7654 3', 'XX89370400440532013000', 'DE89370400440532013000ABC'],
  },
  {
    name: 'aba-routing',
    valid: ['routing 011000015', '021000021', 'ABA: 122105155'],
    invalid: ['011000016', '123456789', '921000021', '0210000210'],
  },
  {
    name: 'swift-bic',
    valid: ['DEUTDEFF', 'BIC: BNPAFRPP', 'NWBKGB2L', 'swift DEUTDEFF500'],
    invalid: ['DEUTZZFF', 'ABCD1234', 'deutdeff', 'DEUTDEFF50'],
  },
  {
    name: 'us-bank-account',
    valid: ['account number 12345678901', '000123456789'],
    invalid: ['1234567', '123456789012345678'],
  },
  {
    name: 'us-ssn',
    valid: ['SSN 536-90-4399', '536 90 4399', '536904399'],
    invalid: ['000-12-3456', '666-12-3456', '900-12-3456', '123-00-4567', '123-45-0000', '078-05-1120', '536-90-43990'],
  },
  {
    name: 'us-itin',
    valid: ['ITIN 912-70-1234', '999 88 1234', '900-50-1234'],
    invalid: ['912-93-1234', '912-89-1234', '812-70-1234'],
  },
  {
    name: 'us-passport',
    valid: ['passport number 123456789', 'A12345678'],
    invalid: ['12345678', 'AB1234567', '1234567890'],
  },
  {
    name: 'ca-sin',
    // Presidio's SIN vectors; 046 454 286 (ESDC's fictitious example) starts with the never-assigned 0
    valid: ['130 692 544', '435 418 165', '347-677-452', '731-530-150', 'mon NAS: 258 933 688', '130692544'],
    invalid: ['130 692 545', '435-418-166', '046 454 286', '812 345 678', '111 111 111', '046-454 286', '130-692 544'],
  },
  {
    name: 'uk-nhs',
    valid: ['NHS number 943 476 5919', '4010232137', '943-476-5919'],
    invalid: ['943 476 5918', '401 023 2138', '943 476-5919'],
  },
  {
    name: 'uk-nino',
    valid: ['AB 12 34 56 C', 'NINO: JG103759A', 'ce123456d'.toUpperCase()],
    invalid: ['QQ 12 34 56 C', 'GB123456A', 'AB123456E', 'DA123456A', 'AO123456A'],
  },
  {
    name: 'es-nif',
    valid: ['DNI 12345678Z', '00000000T', '12345678-Z'],
    invalid: ['12345678A', '1234567Z', '123456789Z'],
  },
  {
    name: 'es-nie',
    valid: ['NIE X1234567L', 'Y1234567X', 'Z1234567R', 'X-1234567-L'],
    invalid: ['X1234567A', 'W1234567L', 'X123456L'],
  },
  {
    name: 'it-fiscal-code',
    // Presidio scores AAAAAA00B11C333N (wrong check letter) low; with the check character verified it is no match
    valid: ['RSSMRA85T10A562S', 'codice fiscale: AAAAAA00B11C333Y', 'rssmra85t10a562s'],
    invalid: ['AAAAAA00B11C333N', 'A55AAA00B11C333N', 'AAAAAA - 00B11C333N', 'RSSMRA85T10A562T'],
  },
  {
    name: 'it-vat',
    valid: ['P.IVA 00743110157', 'IT00743110157', 'IT 07643520567'],
    invalid: ['00743110158', '00743111157', 'IT0074311015'],
  },
  {
    name: 'pl-pesel',
    valid: ['PESEL 44051401359', '02070803628', '02270803624'],
    invalid: ['44051401358', '44131401359', '44053201350', '440514013590'],
  },
  {
    name: 'fi-hetu',
    // Presidio's HETU vectors (all century signs, new 2023 signs included)
    valid: ['131052-308T', '010594Y9032', 'My code is: 020594X903P. Thanks', '030594W903B', '050594U902L', '010516B903X', '020503F9037', '020504A902E'],
    invalid: ['111111-111A', '111111+110G', '311190-1111', '310289-211C', '012245A110G', '131052-308U', '131052-001K'],
  },
  {
    name: 'se-personnummer',
    valid: ['personnummer 811228-9874', '19811228-9874', '8112289874', '670919-9530', '701063-2391'],
    invalid: ['811228-9873', '811328-9874', '811200-9874', '198112289875'],
  },
  {
    name: 'de-tax-id',
    // Presidio's 12345678903 has ten distinct leading digits, which § 139b AO / BZSt structure excludes
    valid: ['Steuer-ID 86095742719', '47036892816', '65929970489', '86 095 742 719'],
    invalid: ['86095742718', '12345678903', '11111111111', '11112345678', '06095742719'],
  },
  {
    name: 'de-vat',
    valid: ['USt-IdNr. DE136695976', 'DE 136695976', 'DE811907980'],
    invalid: ['DE136695977', 'DE13669597', 'DE036695976'],
  },
  {
    name: 'tr-tckn',
    valid: ['TC Kimlik No: 10000000146', '11111111110'],
    invalid: ['10000000147', '01000000146', '1000000014'],
  },
  {
    name: 'au-abn',
    valid: ['ABN 51 824 753 556', '53004085616', '51 824 753 556.'],
    invalid: ['51 824 753 557', '51824753 556', '01 824 753 556'],
  },
  {
    name: 'au-acn',
    valid: ['ACN 004 085 616', '000 000 019', '010499966'],
    invalid: ['004 085 617', '004 085616'],
  },
  {
    name: 'au-tfn',
    valid: ['TFN 123 456 782', '876543210'],
    invalid: ['123 456 783', '123 456782'],
  },
  {
    name: 'au-medicare',
    // Presidio's Medicare vectors
    valid: ['2123 45670 1', '2123456701', 'medicare 2123 45670 1-1'],
    invalid: ['2123 25870 1', '2123258701', '212345670221', '2123456702AF', '7123 45670 1'],
  },
  {
    name: 'in-pan',
    valid: ['PAN ABCPD1234E', 'AAACB1234Z'],
    invalid: ['ABCXD1234E', 'ABCPD12345', 'ABCPD1234'],
  },
  {
    name: 'in-aadhaar',
    // Presidio's Aadhaar vectors
    valid: ['312345678909', '3998 7654 3211', '3123-4567-8909', '3998:7654:3211', 'My Aadhaar number is 400123456787 with text'],
    invalid: ['123456789012', '1234 5678 9012', '312345678908', '3123 4567-8909'],
  },
  {
    name: 'in-gstin',
    valid: ['GSTIN 27AAPFU0939F1ZV', '29AAGCB7383J1Z4'],
    invalid: ['27AAPFU0939F1ZW', '40AAPFU0939F1ZV', '27AAPFU0939F1XV'],
  },
  {
    name: 'sg-nric-fin',
    valid: ['NRIC S1234567D', 'T1234567J', 'F1234567N', 'G1234567X', 'M1234567K'],
    invalid: ['S1234567A', 'M1234567L', 'A1234567D', 'S123456D'],
  },
  {
    name: 'sg-uen',
    // Presidio's UEN vectors
    valid: ['53125226D', '201434292D', 'T16RF0037C', 'S57TU0392K', 'R16RF0037F', 'UEN 53125226D was processed'],
    invalid: ['53125226', '53125226E', 'T16ZZ0037C', '209934292D'],
  },
  {
    name: 'kr-rrn',
    // Presidio's RRN vectors (checksum-valid rows; post-2020 rows without a checksum are low)
    valid: ['960121-1021413', '9601211021413', '050912-2000019', 'His RRN is 9601211021413', '960121-1234567'],
    invalid: ['001332-1234567', '0013321234567', '960121+1021413', '960111-10214131', '960303-0021413', '9601211234567'],
  },
  {
    name: 'th-tnin',
    // Presidio's TNIN vectors
    valid: ['1234567890121', '2345678901234', 'เลขประจำตัวประชาชน: 3456789012347', '1-1017-00207-34-0'],
    invalid: ['123456789012', '12345678901234', '0234567890124', '1034567890124', '1284567890124', '1234567890123', '1111111111111'],
  },
  {
    name: 'ng-nin',
    valid: ['NIN 12345678902', '23456789019'],
    invalid: ['12345678901', '1234567890'],
  },
];

describe("national, tax, health and bank identifiers", () => runVectors(NATIONAL));
