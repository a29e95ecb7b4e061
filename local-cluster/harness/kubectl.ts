// kubectl against the harness's admin kubeconfig (or any KUBECONFIG): used for the few things that
// are simplest as commands, such as applying CRD directories and waiting for conditions.
import { execFile } from 'node:child_process';
import { toolPath } from '../tools/tools.ts';

export function kubectl(
  kubeconfig: string,
  args: string[],
  input?: string,
  timeoutMs = 60_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      toolPath('kubectl'),
      [`--kubeconfig=${kubeconfig}`, ...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
