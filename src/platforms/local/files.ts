// Files the CLI writes (charts as PNG): a failure in words, for one clear line instead of a stack trace.

/** A file-system error in words: "no such folder", "it is a folder", "permission denied". */
export function writeProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'the folder does not exist', EISDIR: 'that is a folder, not a file', EACCES: 'permission denied', EPERM: 'permission denied',
    EROFS: 'the file system is read-only', ENOTDIR: 'part of the path is not a folder', ENOSPC: 'the disk is full',
  };
  return words[code ?? ''] ?? (code ? `the system refused (${code})` : 'the system refused');
}
