import { useTranslation } from 'react-i18next';
import { ATOMS, splitList, type Capabilities, type Kind } from './capabilities';

const LISTS: Exclude<Kind, 'atoms'>[] = ['http', 'secrets', 'hosts', 'notify'];

/**
 * What the app will ask its installers for: the atoms (prefilled from the
 * plugins the chosen flows call; `onUseSuggested` puts them back) and the
 * lists only the publisher knows — HTTP hosts, secret names, host
 * selectors, notification channels — typed one per line.
 */
export function CapabilitiesEditor({
  atoms,
  lists,
  suggested,
  unresolved,
  onAtoms,
  onLists,
  onUseSuggested,
}: {
  atoms: string[];
  lists: Record<Exclude<Kind, 'atoms'>, string>;
  suggested: string[];
  unresolved: string[];
  onAtoms: (atoms: string[]) => void;
  onLists: (lists: Record<Exclude<Kind, 'atoms'>, string>) => void;
  onUseSuggested: () => void;
}) {
  const { t } = useTranslation('market');
  const toggle = (atom: string, on: boolean) => onAtoms(on ? [...new Set([...atoms, atom])].sort() : atoms.filter((a) => a !== atom));
  return (
    <fieldset className="market-caps-editor">
      <legend>{t('publish.capabilities')}</legend>
      <p className="hint">{t('publish.capabilitiesHint')}</p>
      <fieldset>
        <legend>{t('caps.atoms.title')}</legend>
        <p className="hint" data-testid="suggested-atoms">
          {suggested.length > 0 ? t('publish.suggested', { atoms: suggested.join(', ') }) : t('publish.suggestedNone')}{' '}
          <button type="button" onClick={onUseSuggested}>
            {t('publish.useSuggested')}
          </button>
        </p>
        {unresolved.length > 0 ? <p className="market-warn">{t('publish.unresolved', { plugins: unresolved.join(', ') })}</p> : null}
        <div className="market-atoms">
          {ATOMS.map((atom) => (
            <label key={atom} className="inline">
              <input type="checkbox" name={`atom-${atom}`} checked={atoms.includes(atom)} onChange={(e) => toggle(atom, e.target.checked)} />
              <code>{atom}</code> — {t(`atoms.${atom}`)}
            </label>
          ))}
        </div>
      </fieldset>
      {LISTS.map((kind) => (
        <label key={kind}>
          {t(`caps.${kind}.title`)}
          <textarea
            name={`caps-${kind}`}
            rows={2}
            className="market-mono"
            value={lists[kind]}
            aria-describedby={`caps-${kind}-hint`}
            onChange={(e) => onLists({ ...lists, [kind]: e.target.value })}
          />
          <span id={`caps-${kind}-hint`} className="hint">
            {t(`publish.listHint.${kind}`)}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** The capabilities a form holds, as the API takes them. */
export function capabilitiesOfForm(atoms: string[], lists: Record<Exclude<Kind, 'atoms'>, string>): Capabilities {
  return {
    atoms: [...atoms].sort(),
    http: splitList(lists.http),
    secrets: splitList(lists.secrets),
    hosts: lists.hosts
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    notify: splitList(lists.notify),
  };
}
