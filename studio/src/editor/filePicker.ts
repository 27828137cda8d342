// What the tenant-file picker offers: the tenant's files, and the field's
// current value even when no file of that name exists (any more), so that
// opening a flow never silently changes the file it places.

/** A file as the picker needs it (the API's `FileRecord` fits). */
export interface TenantFile {
  name: string;
  size_bytes: number;
  sha256: string;
}

export interface PickerChoice {
  /** The option's value: the file's name. */
  value: string;
  /** The file, when the tenant has one of that name. */
  file: TenantFile | null;
  /** The current value, which names no file of the tenant (known only once the list is in). */
  missing: boolean;
}

/**
 * The options after the empty one ("no file"), in the list's order, and the
 * value selected. The current value comes first when it is not in the list:
 * marked missing if the list is in, unmarked while it loads or failed. A
 * value that is not a string (JSON typed by hand) is shown as its JSON.
 */
export function pickerChoices(files: readonly TenantFile[] | null, value: unknown): { selected: string; choices: PickerChoice[] } {
  const selected = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const choices: PickerChoice[] = (files ?? []).map((file) => ({ value: file.name, file, missing: false }));
  if (selected !== '' && !choices.some((choice) => choice.value === selected)) {
    choices.unshift({ value: selected, file: null, missing: files !== null });
  }
  return { selected, choices };
}

/** The field's value after choosing `option`: the empty option clears the field. */
export function pickedValue(option: string): string | undefined {
  return option === '' ? undefined : option;
}
