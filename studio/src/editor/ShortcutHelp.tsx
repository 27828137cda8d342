// The keyboard shortcuts, in a small popover over the canvas.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

const SHORTCUTS: [string, string][] = [
  ['Ctrl+S', 'save'],
  ['Ctrl+Z', 'undo'],
  ['Ctrl+Shift+Z', 'redo'],
  ['Ctrl+C', 'copy'],
  ['Ctrl+V', 'paste'],
  ['Delete', 'delete'],
  ['Ctrl+Click', 'multiSelect'],
  ['Shift+Drag', 'boxSelect'],
  ['Tab', 'tabNodes'],
  ['Enter', 'selectNode'],
  ['←↑→↓', 'moveNode'],
  ['Enter (palette)', 'addAtCentre'],
];

export function ShortcutHelp() {
  const { t } = useTranslation('editor');
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="editor-help">
      <button type="button" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        {t('shortcuts.button')}
      </button>
      {open && (
        <div id={id} className="editor-help-pop" role="dialog" aria-label={t('shortcuts.title')} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <dl>
            {SHORTCUTS.map(([keys, what]) => (
              <div key={what} style={{ display: 'contents' }}>
                <dt>{keys}</dt>
                <dd>{t(`shortcuts.${what}`)}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}
