import { describe, expect, it } from 'vitest';
import { cfbTree } from '../../../test/evasion/cfb-fixtures.js';
import { isOutlookMessage, readMsg } from './msg.js';
import { readCfb } from './ole.js';

const unicode = (tag: string, s: string): { name: string; data: Buffer } => ({ name: `__substg1.0_${tag}001F`, data: Buffer.from(`${s}\0`, 'utf16le') });

describe('Outlook .msg', () => {
  it('reads the string properties of the message, its recipients and attachments, NULs off', () => {
    const file = cfbTree([
      { name: '__properties_version1.0', data: Buffer.alloc(32) },
      unicode('0037', 'subject'),
      unicode('1000', 'the body'),
      { name: '__recip_version1.0_#00000000', children: [unicode('3001', 'Bob'), unicode('39FE', 'bob@partner.example')] },
      { name: '__attach_version1.0_#00000000', children: [unicode('3707', 'report.pdf'), { name: '__substg1.0_37010102', data: Buffer.from('%PDF-1.4') }] },
    ]);
    const cfb = readCfb(file);
    expect(cfb !== undefined && isOutlookMessage(cfb)).toBe(true);
    const root = cfb?.entries.find((e) => e.type === 5);
    if (cfb === undefined || root === undefined) throw new Error('no root');
    const m = readMsg(cfb, root, () => 1 << 20);
    expect(m.body).toBe('the body');
    expect(m.properties.split('\n').sort()).toEqual(['Bob', 'bob@partner.example', 'subject']);
    expect(m.attachments.map((a) => [a.name, a.files.map((f) => Buffer.from(f).toString('latin1'))])).toEqual([['report.pdf', ['%PDF-1.4']]]);
  });

  it('visits each directory entry once when the sibling links loop', () => {
    const file = cfbTree([{ name: '__properties_version1.0', data: Buffer.alloc(32) }, unicode('0037', 'a'), unicode('1000', 'b')]);
    // the last entry's right sibling back to the first child (directory sector right after the header and FAT)
    const dir = (file.readUInt32LE(0x30) + 1) * 512;
    file.writeUInt32LE(1, dir + 3 * 128 + 0x48);
    const cfb = readCfb(file);
    const root = cfb?.entries.find((e) => e.type === 5);
    if (cfb === undefined || root === undefined) throw new Error('no root');
    expect(cfb.children(root).map((e) => e.name)).toHaveLength(3);
    expect(readMsg(cfb, root, () => 1 << 20).body).toBe('b');
  });
});
