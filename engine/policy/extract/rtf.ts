// RTF to text: groups and control words go, \'hh bytes decode in the document's code page, \uN is a
// character (its \ucN fallback skipped). Binary destinations (pictures, fonts) are dropped.

const SKIP_DESTINATIONS = new Set(['fonttbl', 'colortbl', 'stylesheet', 'pict', 'themedata', 'colorschememapping', 'datastore', 'latentstyles', 'listtable', 'listoverridetable', 'rsidtbl', 'generator']);
const BREAKS: Readonly<Record<string, string>> = { par: '\n', line: '\n', sect: '\n', page: '\n', row: '\n', cell: ' ', tab: '\t', emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”' };

interface Group {
  readonly skip: boolean;
  readonly uc: number;
}

export function rtfToText(rtf: string): string {
  const out: string[] = [];
  const stack: Group[] = [];
  let group: Group = { skip: false, uc: 1 };
  let codepage = 'windows-1252';
  let pendingBytes: number[] = [];
  let skipChars = 0;
  const flush = (): void => {
    if (pendingBytes.length === 0) return;
    if (!group.skip) out.push(decodeBytes(pendingBytes, codepage));
    pendingBytes = [];
  };
  const emit = (s: string): void => {
    if (skipChars > 0) {
      const n = Math.min(skipChars, s.length);
      skipChars -= n;
      s = s.slice(n);
    }
    if (!group.skip && s !== '') out.push(s);
  };
  const n = rtf.length;
  for (let i = 0; i < n; ) {
    const c = rtf[i] ?? '';
    if (c === '{') {
      flush();
      stack.push(group);
      i++;
      const ignorable = rtf.startsWith('\\*', i);
      const word = /^\\\*?\\?([a-z]+)/.exec(rtf.slice(i, i + 40))?.[1] ?? '';
      // {\*\dest ...} is an optional destination: keep its text unless it is known binary
      group = { skip: group.skip || SKIP_DESTINATIONS.has(word) || (ignorable && SKIP_DESTINATIONS.has(word)), uc: group.uc };
    } else if (c === '}') {
      flush();
      group = stack.pop() ?? { skip: false, uc: 1 };
      i++;
    } else if (c === '\\') {
      const m = /^\\([a-z]{1,32})(-?\d{1,10})? ?/.exec(rtf.slice(i, i + 45));
      if (m !== null) {
        const [all, word = '', arg] = m;
        i += all.length;
        if (word === 'bin') {
          i += Number(arg ?? 0);
          continue;
        }
        flush();
        if (word === 'u' && arg !== undefined) {
          const cp = Number(arg) < 0 ? Number(arg) + 65536 : Number(arg);
          emit(String.fromCharCode(cp));
          skipChars = group.uc;
        } else if (word === 'uc' && arg !== undefined) group = { ...group, uc: Number(arg) };
        else if (word === 'ansicpg' && arg !== undefined) codepage = `windows-${arg}`;
        else if (BREAKS[word] !== undefined) emit(BREAKS[word]);
        continue;
      }
      const next = rtf[i + 1] ?? '';
      if (next === "'" && /^[0-9a-fA-F]{2}$/.test(rtf.slice(i + 2, i + 4))) {
        if (skipChars > 0) skipChars--;
        else pendingBytes.push(parseInt(rtf.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      flush();
      if (next === '\\' || next === '{' || next === '}') emit(next);
      else if (next === '~') emit(' ');
      else if (next === '_') emit('-');
      else if (next === '\n' || next === '\r') emit('\n');
      i += 2;
    } else {
      flush();
      let j = i;
      while (j < n && rtf[j] !== '\\' && rtf[j] !== '{' && rtf[j] !== '}') j++;
      // line ends in RTF source are not text
      emit(rtf.slice(i, j).replace(/[\r\n]+/g, ''));
      i = j;
    }
  }
  flush();
  return out.join('');
}

function decodeBytes(bytes: number[], codepage: string): string {
  try {
    return new TextDecoder(codepage).decode(Uint8Array.from(bytes));
  } catch {
    return new TextDecoder('windows-1252').decode(Uint8Array.from(bytes));
  }
}
