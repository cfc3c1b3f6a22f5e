// Text files whose format spells a number differently from how it reads: markup (XML, SVG: tags and
// character references between the digits), JSON string escapes, iCalendar and vCard line folding and
// escapes (a meeting invitation's description folded in the middle of a number), vCard 2.1 quoted-printable
// soft breaks, and percent-encoded URLs in plain text. Each is read as written and, beside it, as its format
// reads. Before, these files were read as written only.
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

const attached = (name: string, type: string, content: string): Buffer => inMultipart(`Content-Type: ${type}; name=${name}\nContent-Disposition: attachment; filename=${name}\nContent-Transfer-Encoding: base64`, b64(Buffer.from(content, 'utf8')));
const crlf = (s: string): string => s.replace(/\n/g, '\r\n');

const VARIANTS: readonly Variant[] = [
  { name: 'an SVG whose text has the groups in <tspan>s', build: () => attached('chart.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="20">card 4111 <tspan>1111</tspan> <tspan font-weight="bold">1111</tspan> 1111</text></svg>'), expect: 'card', smtp: true },
  { name: 'an XML file with the groups in elements', build: () => attached('export.xml', 'application/xml', '<?xml version="1.0"?><card><g>4111 </g><g>1111 </g><g>1111 </g><g>1111</g></card>'), expect: 'card' },
  { name: 'an XML file with a character reference for a digit', build: () => attached('export.xml', 'text/xml', '<?xml version="1.0"?><r>card &#52;111 1111 1111 &#x31;111</r>'), expect: 'card' },
  { name: 'an XML file declared application/octet-stream, named .dat', build: () => attached('export.dat', 'application/octet-stream', '<?xml version="1.0"?><card><g>4111</g> <g>1111</g> <g>1111</g> <g>1111</g></card>'), expect: 'card' },
  { name: 'a JSON file with \\u escapes for digits', build: () => attached('export.json', 'application/json', '{"card": "\\u0034111 1111 1111 111\\u0031"}'), expect: 'card', smtp: true },
  { name: 'an iCalendar invitation whose description is folded inside the number', build: () => attached('invite.ics', 'text/calendar', crlf('BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:payment\nDESCRIPTION:use card 4111 1111\n  1111 1111 for the booking\nEND:VEVENT\nEND:VCALENDAR\n')), expect: 'card', smtp: true },
  { name: 'a vCard 2.1 note in quoted-printable with a soft break inside the number', build: () => attached('contact.vcf', 'text/x-vcard', crlf('BEGIN:VCARD\nVERSION:2.1\nNOTE;ENCODING=QUOTED-PRINTABLE:card 4111 11=\n11 1111 1111\nEND:VCARD\n')), expect: 'card' },
  { name: 'a vCard 3.0 note folded inside the number', build: () => attached('contact.vcf', 'text/vcard', crlf('BEGIN:VCARD\nVERSION:3.0\nNOTE:card 4111 1111 11\n 11 1111\nEND:VCARD\n')), expect: 'card' },
  { name: 'a percent-encoded URL in a text file', build: () => attached('links.txt', 'text/plain', 'https://pay.example.org/?card=4111%201111%201111%201111'), expect: 'card' },
  { name: 'control: an SVG with four separate numbers in four text elements on four lines', build: () => attached('chart.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><text y="10">4111</text><text y="30">1111</text><text y="50">1111</text><text y="70">1111</text></svg>'), expect: 'clean' },
  { name: 'control: an iCalendar invitation with no number', build: () => attached('invite.ics', 'text/calendar', crlf('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDESCRIPTION:quarterly\n  review\nEND:VEVENT\nEND:VCALENDAR\n')), expect: 'clean', smtp: true },
];

analysisSuite('evasion: text formats read as they read (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: text formats read as they read', 'text-formats', VARIANTS);
