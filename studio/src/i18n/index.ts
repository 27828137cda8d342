import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import enCommon from './locales/en/common.json';
import enEditor from './locales/en/editor.json';
import enRuns from './locales/en/runs.json';
import enAdmin from './locales/en/admin.json';
import enMarket from './locales/en/market.json';
import zhCommon from './locales/zh-CN/common.json';
import zhEditor from './locales/zh-CN/editor.json';
import zhRuns from './locales/zh-CN/runs.json';
import zhAdmin from './locales/zh-CN/admin.json';
import zhMarket from './locales/zh-CN/market.json';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'scena.language';

export const resources = {
  en: { common: enCommon, editor: enEditor, runs: enRuns, admin: enAdmin, market: enMarket },
  'zh-CN': { common: zhCommon, editor: zhEditor, runs: zhRuns, admin: zhAdmin, market: zhMarket },
} as const;

/** Keys a page asked for that the current language lacks (the zh-CN test reads them). */
export const missingKeys = new Set<string>();

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLanguage(),
  // The zh-CN browser test switches the fallback off, so that a missing
  // translation shows up as a missing key instead of English.
  fallbackLng: localStorage.getItem('scena.i18nStrict') === '1' ? false : 'en',
  defaultNS: 'common',
  ns: ['common', 'editor', 'runs', 'admin', 'market'],
  interpolation: { escapeValue: false },
  saveMissing: true,
  missingKeyHandler: (languages, namespace, key) => {
    missingKeys.add(`${languages.join(',')}:${namespace}:${key}`);
  },
});
document.documentElement.lang = i18n.language;
(window as unknown as { __scenaMissingKeys: Set<string> }).__scenaMissingKeys = missingKeys;

export function setLanguage(language: Language) {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

export default i18n;
