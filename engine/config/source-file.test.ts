// The fast reader (js-yaml) must read every file exactly as the yaml library does, or refuse it so
// that the yaml library reads it. What was tried: every YAML file in the repository, YAML 1.1/1.2
// scalar corner cases, aliases, tags, merge keys, duplicate keys, multiple documents, empty files.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fastData, parseSourceFile } from './source-file.js';
import { locate } from './locate.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const slow = (text: string): unknown => parseDocument(text, { uniqueKeys: true }).toJS();

describe('fast YAML reading agrees with the yaml library', () => {
  const files = [...yamlFiles('policies'), ...yamlFiles('test'), ...yamlFiles('deploy')];

  it('reads every YAML file in the repository the same way, or leaves it to the yaml library', () => {
    expect(files.length).toBeGreaterThan(40);
    let fastRead = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = fastData(text);
      if (fast === undefined) continue;
      fastRead++;
      expect(fast.data, f).toEqual(slow(text));
    }
    expect(fastRead).toBeGreaterThan(20);
  });

  it.each([
    ['YAML 1.2 booleans only', 'a: [true, True, TRUE, false, yes, no, on, off, y, n]'],
    ['numbers', 'a: [1, -1, 0x1F, 0o17, 017, 1.5, 1e3, .inf, -.Inf, .nan, 1_000, 0b101, +12]'],
    ['nulls', 'a: [~, null, Null, NULL, ""]\nb:\nc: !!null ""'],
    ['strings that look like other things', 'a: ["1", 2001-12-14, 12:30:45, 1:20, "@x", \'quoted\']'],
    ['block scalars', 'a: |\n  one\n  two\nb: >-\n  folded\n  text\n'],
    ['CIDRs and ports', 'addresses: [127.0.0.1/32, "::1/128", 10.0.0.0/8]\nport: 010025'],
    ['unicode', 'name: "Grüße \\u00e9"\nkey: ñ'],
    ['empty file', ''],
    ['comment only', '# nothing\n'],
  ])('%s', (_, text) => {
    const fast = fastData(text);
    if (fast !== undefined) expect(fast.data).toEqual(slow(text));
  });

  it.each([
    ['an alias', 'a: &x [1]\nb: *x'],
    ['a merge key', 'a: &x {k: 1}\nb: {<<: *x}'],
    ['a custom tag', 'a: !secret x'],
    ['a duplicate key', 'a: 1\na: 2'],
    ['two documents', 'a: 1\n---\nb: 2'],
    ['a syntax error', 'a: [1, 2'],
  ])('leaves %s to the yaml library', (_, text) => {
    expect(fastData(text)).toBeUndefined();
  });

  it('a fast-read file still points diagnostics at the right line and column', () => {
    const text = 'version: 1\ngateway:\n  listen:\n    - address: 127.0.0.1\n      port: 99999\n';
    const parsed = parseSourceFile('/virtual/topology.yaml', text, '/virtual');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.data).toEqual({ version: 1, gateway: { listen: [{ address: '127.0.0.1', port: 99999 }] } });
    expect(locate(parsed.source, '/gateway/listen/0/port')).toMatchObject({ line: 5, column: 13 });
  });
});
