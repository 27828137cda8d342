/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every string the studio shows exists in both languages: a key present in
// one locale file and missing in the other is a string some users would see
// untranslated (or as a raw key).
const locales = fileURLToPath(new URL('../../src/i18n/locales', import.meta.url));

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key));
}

// Plural forms differ by language (English has `_one` and `_other`, Chinese only `_other`).
function base(key: string): string {
  return key.replace(/_(zero|one|two|few|many|other)$/, '');
}

function load(language: string, namespace: string): unknown {
  return JSON.parse(readFileSync(join(locales, language, namespace), 'utf8'));
}

describe('locales', () => {
  const namespaces = readdirSync(join(locales, 'en')).filter((f) => f.endsWith('.json'));

  it('have the same namespaces', () => {
    expect(readdirSync(join(locales, 'zh-CN')).sort()).toEqual(namespaces.sort());
  });

  for (const namespace of namespaces) {
    it(`${namespace}: zh-CN has exactly the keys of en`, () => {
      const bases = (language: string) => [...new Set(keys(load(language, namespace)).map(base))].sort();
      expect(bases('zh-CN')).toEqual(bases('en'));
    });

    it(`${namespace}: no empty string, and zh-CN is not English copied over`, () => {
      const en = keys(load('en', namespace));
      const flat = (language: string) => {
        const entries = new Map<string, string>();
        const walk = (value: unknown, prefix: string) => {
          if (typeof value === 'string') entries.set(prefix, value);
          else if (value && typeof value === 'object')
            for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
        };
        walk(load(language, namespace), '');
        return entries;
      };
      const english = flat('en');
      const chinese = flat('zh-CN');
      for (const key of en) expect(english.get(key), key).not.toBe('');
      for (const [key, text] of chinese) expect(text, key).not.toBe('');
      // A sentence left in English in the Chinese file (more than two words of Latin letters, no CJK).
      const untranslated = [...chinese].filter(
        ([key, text]) => text === english.get(key) && /[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/.test(text) && !/[\u4e00-\u9fff]/.test(text),
      );
      expect(untranslated).toEqual([]);
    });
  }
});
