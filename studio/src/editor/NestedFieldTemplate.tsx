// rjsf's field template for the fields inside a mapped field (an object's
// properties, an array's items): each gets the same literal/expression
// toggle as the top-level fields, so that every field, at any depth, can be
// a literal or an expression (stored as the string `${…}`).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getDefaultRegistry } from '@rjsf/core';
import type { FieldTemplateProps } from '@rjsf/utils';
import { ExpressionEditor } from './ExpressionEditor';
import type { ScopeEntry } from './scope';

const DefaultFieldTemplate = getDefaultRegistry().templates.FieldTemplate;

/** What the template needs from the form around it (rjsf's form context). */
export interface MappingContext {
  scope: ScopeEntry;
  readOnly: boolean;
  /**
   * The paths switched to expressions, kept by the form (rjsf may remount a
   * field when its value changes, and an empty expression has no `${` yet).
   */
  expressionPaths: Set<string>;
}

function isExpressionValue(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}

export function NestedFieldTemplate(props: FieldTemplateProps) {
  const { t } = useTranslation('editor');
  const { fieldPathId, formData, onChange, registry, label, hidden } = props;
  // Depth 0 is the wrapper object, depth 1 the mapped field (toggled by its row).
  const depth = fieldPathId.path.length;
  const context = (registry.formContext ?? {}) as Partial<MappingContext>;
  const key = fieldPathId.path.join('/');
  const [chosen, setChosen] = useState<boolean | null>(null);
  const expression = chosen ?? (context.expressionPaths?.has(key) || isExpressionValue(formData));
  if (depth < 2 || hidden) return <DefaultFieldTemplate {...props} />;
  const readOnly = context.readOnly ?? false;
  const name = label || String(fieldPathId.path[fieldPathId.path.length - 1]);
  const toggle = () => {
    if (expression) context.expressionPaths?.delete(key);
    else context.expressionPaths?.add(key);
    setChosen(!expression);
    onChange(expression ? undefined : '', fieldPathId.path);
  };
  return (
    <div className="editor-nested-field">
      {!readOnly && (
        <button type="button" className="editor-nested-toggle" aria-pressed={expression} onClick={(event) => {
            // The click switches the mode; it is not the field's to handle.
            event.preventDefault();
            event.stopPropagation();
            toggle();
          }} aria-label={t('input.toggle', { field: name })}>
          {expression ? t('input.expression') : t('input.literal')}
        </button>
      )}
      {expression ? (
        <div>
          <span className="hint">{name}</span>
          <ExpressionEditor
            value={typeof formData === 'string' ? formData : ''}
            onChange={(value) => onChange(value, fieldPathId.path)}
            scope={context.scope ?? {}}
            label={t('input.expressionOf', { field: name })}
            readOnly={readOnly}
          />
        </div>
      ) : (
        <DefaultFieldTemplate {...props} />
      )}
    </div>
  );
}
