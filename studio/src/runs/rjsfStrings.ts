// rjsf's own words (Add, Remove, Item …) through i18next: each string of
// rjsf's `TranslatableString` enum is looked up as `rjsf.<EnumName>`.
import { TranslatableString, replaceStringParameters } from '@rjsf/utils';
import type { Translate } from '../ui/formValidator';

const NAMES = new Map<string, string>(Object.entries(TranslatableString).map(([name, text]) => [text as string, name]));

export function rjsfTranslator(t: Translate) {
  return (text: TranslatableString, params?: string[]): string => {
    const name = NAMES.get(text);
    const template = name ? t(`rjsf.${name}`, { defaultValue: text }) : text;
    return replaceStringParameters(template, params);
  };
}
