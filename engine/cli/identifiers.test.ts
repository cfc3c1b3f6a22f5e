import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { IDENTIFIER_SETS, IDENTIFIERS } from '../policy/detectors/identifiers/catalogue.js';
import { renderIdentifiers } from './identifiers.js';

describe('relayguard identifiers', () => {
  it('json lists every identifier with description, confidence levels, sets and example, and every set', () => {
    const out = JSON.parse(renderIdentifiers('json')) as { identifiers: { name: string; description: string; confidence: string[]; sets: string[]; example: string }[]; sets: Record<string, string[]> };
    expect(out.identifiers.map((i) => i.name)).toEqual(IDENTIFIERS.map((i) => i.name));
    for (const i of out.identifiers) {
      expect(i.description).not.toBe('');
      expect(i.confidence.length).toBeGreaterThan(0);
      expect(i.sets.length).toBeGreaterThan(0);
      expect(i.example).not.toBe('');
    }
    expect(Object.keys(out.sets)).toEqual([...IDENTIFIER_SETS.keys()]);
    expect(out.sets['pii-eu']).toContain('fi-hetu');
  });

  it('text has one row per identifier with its example, then the sets and a summary line', () => {
    const text = renderIdentifiers('text');
    expect(text).toMatch(/^fi-hetu +medium\/high +pii-eu +131052-308T$/m);
    expect(text).toMatch(/^ {2}secrets +private-key, /m);
    expect(text.trimEnd().split('\n').at(-1)).toBe(`${IDENTIFIERS.length} identifiers, ${IDENTIFIER_SETS.size} sets`);
  });

  it('the installed command prints the catalogue as JSON and refuses an unknown format with exit 2', () => {
    const ok = spawnSync(process.execPath, ['bin/relayguard.js', 'identifiers', '--format', 'json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect((JSON.parse(ok.stdout) as { identifiers: unknown[] }).identifiers.length).toBe(IDENTIFIERS.length);
    const bad = spawnSync(process.execPath, ['bin/relayguard.js', 'identifiers', '--format', 'xml'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('xml');
  });
});
