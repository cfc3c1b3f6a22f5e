// SMTP replies as values: one shape for what receivers send us and what the gateway originates.

export type SmtpReply = {
  readonly code: number;
  /** RFC 3463 enhanced status code ("4.4.1"), when the reply carried one. */
  readonly enhanced?: string;
  /** Text of each line, after the code and the enhanced code. */
  readonly lines: readonly string[];
};

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;
const REPLY_LINE = /^(\d{3})([ -]?)(.*)$/s;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f]/g;

export function reply(code: number, enhanced: string | undefined, ...lines: readonly string[]): SmtpReply {
  const text = lines.length > 0 ? lines : [''];
  return enhanced === undefined ? { code, lines: text } : { code, enhanced, lines: text };
}

/** Wire form, CRLF-terminated; control characters in texts become spaces so a text can never split a reply. */
export function formatReply(r: SmtpReply): string {
  const lines = r.lines.length > 0 ? r.lines : [''];
  const prefix = r.enhanced === undefined ? '' : `${r.enhanced} `;
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const sep = i < lines.length - 1 ? '-' : ' ';
    const text = `${prefix}${(lines[i] ?? '').replace(CONTROL_CHARS, ' ')}`.trimEnd();
    out += text === '' ? `${r.code}${sep === '-' ? '-' : ''}\r\n` : `${r.code}${sep}${text}\r\n`;
  }
  return out;
}

/** One line of text for logs and error messages. */
export function replyText(r: SmtpReply): string {
  const enhanced = r.enhanced === undefined ? '' : ` ${r.enhanced}`;
  return `${r.code}${enhanced} ${r.lines.join(' / ')}`.trimEnd();
}

export type ParsedReplyLine = { readonly code: number; readonly last: boolean; readonly text: string };

/** Parses one reply line without its CRLF; undefined when it is not `NNN[ -]text`. */
export function parseReplyLine(line: string): ParsedReplyLine | undefined {
  const m = REPLY_LINE.exec(line);
  if (m === null) return undefined;
  const [, code, sep, text] = m;
  // "250" alone is a (last) line; "250text" is not a reply line.
  if (sep === '' && text !== '') return undefined;
  return { code: Number(code), last: sep !== '-', text: text ?? '' };
}

/**
 * Builds a reply from its complete lines ("250-a", "250 b"). The enhanced code is taken
 * from the first line when its class matches the reply code, and stripped from every line that repeats it.
 */
export function parseReplyLines(lines: readonly string[]): SmtpReply | undefined {
  const parsed: ParsedReplyLine[] = [];
  for (const line of lines) {
    const p = parseReplyLine(line);
    if (p === undefined) return undefined;
    if (parsed.length > 0 && p.code !== parsed[0]?.code) return undefined;
    parsed.push(p);
  }
  return replyFromParsed(parsed);
}

export function replyFromParsed(parsed: readonly ParsedReplyLine[]): SmtpReply | undefined {
  const first = parsed[0];
  if (first === undefined) return undefined;
  const m = ENHANCED.exec(first.text);
  const enhanced = m !== null && m[1] === String(first.code)[0] ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
  const lines = parsed.map((p) => stripEnhanced(p.text, enhanced));
  return enhanced === undefined ? { code: first.code, lines } : { code: first.code, enhanced, lines };
}

function stripEnhanced(text: string, enhanced: string | undefined): string {
  if (enhanced === undefined || !text.startsWith(enhanced)) return text;
  const rest = text.slice(enhanced.length);
  if (rest === '') return '';
  return rest.startsWith(' ') ? rest.slice(1) : text;
}

export const isPositive = (r: SmtpReply): boolean => r.code >= 200 && r.code < 400;
export const isTransient = (r: SmtpReply): boolean => r.code >= 400 && r.code < 500;
export const isPermanent = (r: SmtpReply): boolean => r.code >= 500 && r.code < 600;

/** The replies the gateway itself originates. Texts name the cause so the upstream's log explains the deferral. */
export const replies = {
  unreachable: (cause: string): SmtpReply => reply(421, '4.4.1', `Receiving MTA unreachable: ${cause}`),
  connectionLost: (cause: string): SmtpReply => reply(421, '4.4.2', `Connection to receiving MTA lost: ${cause}`),
  internalError: (cause: string): SmtpReply => reply(451, '4.3.0', `Internal error, try again later: ${cause}`),
  tlsRequired: (): SmtpReply => reply(530, '5.7.0', 'Must issue a STARTTLS command first'),
  mixedRoutes: (): SmtpReply =>
    reply(452, '4.5.3', 'Recipients route to different receiving MTAs, send this recipient in a separate transaction'),
  tooBig: (limit: number): SmtpReply => reply(552, '5.3.4', `Message size exceeds fixed maximum message size of ${limit} bytes`),
  notAllowed: (address: string): SmtpReply => reply(554, '5.7.1', `${address}: relay access denied`),
  tempfail: (cause: string): SmtpReply => reply(451, '4.7.1', `Temporary failure, try again later: ${cause}`),
} as const;
