// rjsf's own words (buttons, item titles) in the reader's language; any
// string not listed here keeps rjsf's English.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { englishStringTranslator, replaceStringParameters, TranslatableString } from '@rjsf/utils';

const KEYS: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.ArrayItemTitle]: 'rjsf.item',
  [TranslatableString.NewStringDefault]: 'rjsf.newValue',
  [TranslatableString.AddButton]: 'rjsf.add',
  [TranslatableString.AddItemButton]: 'rjsf.addItem',
  [TranslatableString.CopyButton]: 'rjsf.copy',
  [TranslatableString.MoveDownButton]: 'rjsf.moveDown',
  [TranslatableString.MoveUpButton]: 'rjsf.moveUp',
  [TranslatableString.RemoveButton]: 'rjsf.remove',
  [TranslatableString.KeyLabel]: 'rjsf.key',
  [TranslatableString.OptionPrefix]: 'rjsf.option',
};

export function useRjsfStrings() {
  const { t } = useTranslation('editor');
  return useCallback(
    (string: TranslatableString, params?: string[]) => {
      const key = KEYS[string];
      return key ? replaceStringParameters(t(key), params) : englishStringTranslator(string, params);
    },
    [t],
  );
}
