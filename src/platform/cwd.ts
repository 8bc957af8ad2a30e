/** The working directory, or '' when it is gone (deleted under the process). */
export function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}
