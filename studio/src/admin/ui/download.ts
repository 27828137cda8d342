/** Save `blob` as a file named `name` in the reader's downloads. */
export function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Freed once the download surely has the bytes (revoking at once can cancel it in some browsers).
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
