// The flow's inputs schema as a small form builder: fields with a type, a
// title, required or not, and a default. The run form is generated from it.
import { useState, memo } from 'react';
import { useTranslation } from 'react-i18next';
import { CheckField, SelectField, TextField } from './fields';

type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
const TYPES: FieldType[] = ['string', 'integer', 'number', 'boolean', 'array', 'object'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface ObjectSchema {
  type?: unknown;
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
  [key: string]: unknown;
}

function asObjectSchema(schema: unknown): ObjectSchema {
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) return schema as ObjectSchema;
  return { type: 'object', properties: {} };
}

/** A default typed in the box, as the field's type wants it (kept as text when it does not parse). */
export function parseDefault(text: string, type: FieldType): unknown {
  if (text === '') return undefined;
  if (type === 'string') return text;
  if (type === 'boolean') return text === 'true';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function defaultText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export const InputsBuilder = memo(function InputsBuilder({ schema, onChange, readOnly }: { schema: unknown; onChange: (schema: ObjectSchema) => void; readOnly: boolean }) {
  const { t } = useTranslation('editor');
  const current = asObjectSchema(schema);
  const properties = current.properties ?? {};
  const required = new Set(current.required ?? []);
  const [newName, setNewName] = useState('');
  const write = (props: Record<string, Record<string, unknown>>, req: Set<string>) => {
    const next: ObjectSchema = { ...current, type: 'object', properties: props };
    const list = [...req].filter((r) => r in props);
    if (list.length) next.required = list;
    else delete next.required;
    onChange(next);
  };
  const setField = (name: string, patch: Record<string, unknown>) => {
    const field: Record<string, unknown> = { ...properties[name], ...patch };
    for (const key of Object.keys(field)) if (field[key] === undefined) delete field[key];
    write({ ...properties, [name]: field }, required);
  };
  const nameOk = NAME.test(newName) && !(newName in properties);
  return (
    <section aria-label={t('inputs.title')}>
      <h2>{t('inputs.title')}</h2>
      {Object.keys(properties).length === 0 && <p className="hint">{t('inputs.none')}</p>}
      {Object.entries(properties).map(([name, field]) => {
        const type = (typeof field.type === 'string' && TYPES.includes(field.type as FieldType) ? field.type : 'string') as FieldType;
        return (
          <fieldset key={name} data-input={name}>
            <legend>{name}</legend>
            <SelectField
              label={t('inputs.type')}
              value={type}
              disabled={readOnly}
              options={TYPES.map((v) => ({ value: v, label: t(`inputs.types.${v}`) }))}
              onChange={(v) => setField(name, { type: v, default: undefined, items: v === 'array' ? { type: 'string' } : undefined })}
            />
            <TextField label={t('inputs.fieldTitle')} value={typeof field.title === 'string' ? field.title : ''} readOnly={readOnly} onChange={(title) => setField(name, { title: title || undefined })} />
            <TextField label={t('inputs.default')} value={defaultText(field.default)} readOnly={readOnly} onChange={(text) => setField(name, { default: parseDefault(text, type) })} />
            <div className="row">
              <CheckField
                label={t('inputs.required')}
                checked={required.has(name)}
                disabled={readOnly}
                onChange={(on) => {
                  const next = new Set(required);
                  if (on) next.add(name);
                  else next.delete(name);
                  write(properties, next);
                }}
              />
              {!readOnly && (
                <button
                  type="button"
                  aria-label={t('inputs.remove', { name })}
                  onClick={() => {
                    const rest = { ...properties };
                    delete rest[name];
                    write(rest, required);
                  }}
                >
                  {t('inputs.removeShort')}
                </button>
              )}
            </div>
          </fieldset>
        );
      })}
      {!readOnly && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!nameOk) return;
            write({ ...properties, [newName]: { type: 'string' } }, required);
            setNewName('');
          }}
        >
          <label className="inline">
            {t('inputs.newName')}
            <input value={newName} onChange={(e) => setNewName(e.target.value)} aria-invalid={newName !== '' && !nameOk} />
          </label>
          <button type="submit" disabled={!nameOk}>
            {t('inputs.add')}
          </button>
        </form>
      )}
    </section>
  );
});
