// Small labelled inputs the inspector is made of.
import { useId, useState, useEffect } from 'react';

export function TextField({
  label,
  value,
  onChange,
  placeholder,
  readOnly,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  readOnly?: boolean;
}) {
  return (
    <label>
      {label}
      <input value={value} placeholder={placeholder} readOnly={readOnly} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/** A number input; empty means "not set" (undefined). */
export function NumberField({
  label,
  value,
  onChange,
  min,
  readOnly,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  min?: number;
  readOnly?: boolean;
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={min}
        value={value ?? ''}
        readOnly={readOnly}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />
    </label>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  return (
    <label>
      {label}
      <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CheckField({
  label,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <label className="inline">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

/**
 * A text area holding JSON: edits that parse are passed on, others are kept
 * in the box (with a note) until they do.
 */
export function JsonField({
  label,
  value,
  onChange,
  invalidNote,
  readOnly,
}: {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  invalidNote: string;
  readOnly?: boolean;
}) {
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [bad, setBad] = useState(false);
  useEffect(() => {
    // Follow outside changes (undo) unless the box holds an unfinished edit.
    if (!bad) setText(JSON.stringify(value ?? null, null, 2));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={5}
        value={text}
        readOnly={readOnly}
        aria-invalid={bad}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            setBad(false);
            onChange(parsed);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <p className="editor-expr-error">{invalidNote}</p>}
    </div>
  );
}
