// The form generated from a flow version's inputs schema (@rjsf/core).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import Form from '@rjsf/core';
import type { IChangeEvent } from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { makeFormValidator } from '../ui/formValidator';
import { rjsfTranslator } from './rjsfStrings';

const EMPTY_OBJECT: RJSFSchema = { type: 'object', properties: {} };

export function RunForm({
  schema,
  busy,
  onSubmit,
}: {
  schema: unknown;
  busy: boolean;
  onSubmit: (input: unknown) => void;
}) {
  const { t } = useTranslation('runs');
  const [formData, setFormData] = useState<unknown>(undefined);
  const validator = useMemo(() => makeFormValidator(t as never), [t]);
  const translateString = useMemo(() => rjsfTranslator(t as never), [t]);
  const root = (schema && typeof schema === 'object' ? schema : EMPTY_OBJECT) as RJSFSchema;
  const uiSchema: UiSchema = {
    'ui:submitButtonOptions': { submitText: busy ? t('start.starting') : t('start.submit'), props: { disabled: busy, className: 'primary' } },
  };
  return (
    <Form
      className="runs-form"
      schema={root}
      uiSchema={uiSchema}
      validator={validator}
      formData={formData}
      onChange={(event: IChangeEvent) => setFormData(event.formData)}
      onSubmit={(event: IChangeEvent) => onSubmit(event.formData ?? {})}
      translateString={translateString}
      showErrorList="top"
      // The errors are shown in the form; rjsf would log them to the console as well.
      onError={() => undefined}
      noHtml5Validate
      idPrefix="run-input"
    />
  );
}
