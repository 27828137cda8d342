// The palette: every node kind, and the tenant's plugins grouped by category
// with a search over name, title, description and capabilities. Items are
// dragged onto the canvas, or added at the viewport's centre with Enter
// (or a click).
import { useMemo, useState, type DragEvent, memo } from 'react';
import { useTranslation } from 'react-i18next';
import { NODE_KINDS } from './flowTypes';
import type { NewNode } from './useFlowEditor';
import type { PluginSummary } from './usePlugins';
import { pluginReference } from './scope';

/** The drag payload's type; its value is a JSON `NewNode`. */
export const PALETTE_MIME = 'application/x-scena-node';

function PaletteItem({
  what,
  name,
  children,
  onAdd,
}: {
  what: NewNode;
  /** What the item adds, as dragged text. */
  name: string;
  children: React.ReactNode;
  onAdd: (what: NewNode) => void;
}) {
  const { t } = useTranslation('editor');
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(PALETTE_MIME, JSON.stringify(what));
    event.dataTransfer.setData('text/plain', name);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button
        type="button"
        className="editor-palette-item"
        draggable
        onDragStart={onDragStart}
        onClick={() => onAdd(what)}
        data-palette={what.pluginName ?? what.kind}
      >
        <span className="editor-sr-only">{t('palette.add')} </span>
        {children}
      </button>
    </li>
  );
}

export const Palette = memo(function Palette({ plugins, onAdd }: { plugins: PluginSummary[] | null; onAdd: (what: NewNode) => void }) {
  const { t } = useTranslation('editor');
  const [search, setSearch] = useState('');
  const groups = useMemo(() => {
    const words = search.trim().toLowerCase();
    const matching = (plugins ?? []).filter((p) => {
      if (p.yanked) return false;
      if (!words) return true;
      const text = [p.name, p.title, p.description, ...(p.capabilities ?? [])].join(' ').toLowerCase();
      return text.includes(words);
    });
    // The newest version of each name only.
    const newest = new Map<string, PluginSummary>();
    for (const p of matching) {
      const seen = newest.get(p.name);
      if (!seen || seen.version.localeCompare(p.version, undefined, { numeric: true }) < 0) newest.set(p.name, p);
    }
    const byCategory = new Map<string, PluginSummary[]>();
    for (const p of newest.values()) {
      const category = p.category || t('palette.uncategorised');
      byCategory.set(category, [...(byCategory.get(category) ?? []), p]);
    }
    return [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [plugins, search, t]);
  const kinds = NODE_KINDS.filter((k) => !search || t(`kind.${k}`).toLowerCase().includes(search.toLowerCase()) || k.includes(search.toLowerCase()));

  return (
    <aside className="editor-palette" aria-label={t('palette.title')}>
      <h2>{t('palette.title')}</h2>
      <label>
        {t('palette.search')}
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <p className="hint">{t('palette.hint')}</p>
      {groups.map(([category, list]) => (
        <section key={category}>
          <h3>{category}</h3>
          <ul>
            {list.map((p) => (
              <PaletteItem
                key={p.name}
                name={p.title || p.name}
                what={{ kind: 'step', plugin: pluginReference(p.name, p.version), pluginName: p.name }}
                onAdd={onAdd}
              >
                <strong>{p.title || p.name}</strong> <small>{`${p.name}@${p.version}`}</small>
                {p.description && <small>{p.description}</small>}
                {(p.capabilities?.length ?? 0) > 0 && (
                  <span className="editor-palette-caps">{t('palette.capabilities', { list: p.capabilities!.join(', ') })}</span>
                )}
              </PaletteItem>
            ))}
          </ul>
        </section>
      ))}
      {plugins === null && <p>{t('palette.loading')}</p>}
      <section>
        <h3>{t('palette.kinds')}</h3>
        <ul>
          {kinds.map((kind) => (
            <PaletteItem key={kind} name={t(`kind.${kind}`)} what={{ kind }} onAdd={onAdd}>
              <strong>{t(`kind.${kind}`)}</strong>
              <small>{t(`kindHelp.${kind}`)}</small>
            </PaletteItem>
          ))}
        </ul>
      </section>
    </aside>
  );
});
