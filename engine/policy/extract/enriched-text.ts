// text/enriched (RFC 1896) and text/richtext (RFC 1341 §7.1.3) as a reader sees them: formatting commands
// ("<bold>", "</bold>") are not shown, so digits they split are one number; "<<" (enriched) and "<lt>"
// (richtext) are a "<"; in enriched text a lone line break is a space and n breaks are n - 1. What a
// <param> holds (a colour, a font, a link target) is not shown either, but it is text a sender wrote:
// it is kept too, after the visible text, one parameter a line.

const COMMAND = /^<(\/?)([A-Za-z0-9-]{1,60})>/;

export function isEnrichedType(declaredType: string): boolean {
  return declaredType === 'text/enriched' || declaredType === 'text/richtext';
}

export function enrichedToText(source: string, declaredType: string): string {
  const richtext = declaredType === 'text/richtext';
  const text = source.replace(/\r\n?/g, '\n');
  let visible = '';
  const params: string[] = [];
  let param: string | undefined;
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? '';
    if (c === '<' && !richtext && text[i + 1] === '<') {
      if (param === undefined) visible += '<';
      else param += '<';
      i += 2;
      continue;
    }
    const m = c === '<' ? COMMAND.exec(text.slice(i, i + 64)) : null;
    if (m === null) {
      // a richtext line break is only white space (<nl> is the break)
      const ch = richtext && c === '\n' ? ' ' : c;
      if (param === undefined) visible += ch;
      else param += ch;
      i++;
      continue;
    }
    i += m[0].length;
    const name = (m[2] ?? '').toLowerCase();
    const closing = m[1] === '/';
    if (!richtext && name === 'param') {
      if (closing && param !== undefined) params.push(param);
      param = closing ? undefined : '';
    } else if (richtext && !closing && name === 'lt') visible += '<';
    else if (richtext && !closing && name === 'nl') visible += '\n';
  }
  if (param !== undefined) params.push(param);
  const shown = richtext ? visible : visible.replace(/\n+/g, (run) => (run.length === 1 ? ' ' : '\n'.repeat(run.length - 1)));
  return params.length === 0 ? shown : `${shown}\n${params.join('\n')}`;
}
