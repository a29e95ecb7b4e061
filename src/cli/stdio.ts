// The command's output without process.stdout and process.stderr: for a pipe or a terminal, Node
// builds those streams on its net module, several milliseconds of a start for `render`, which writes
// its YAML once and exits (`npm run bench -- cli` pipes stderr, as `render | kubectl apply` pipes
// stdout). A blocking write straight to the file descriptor; should the descriptor be non-blocking
// and full, the rest goes through the stream after all.
import { writeSync } from 'node:fs';

export interface Output {
  write(text: string | Uint8Array): unknown;
}

type WriteSync = (fd: number, bytes: Uint8Array, offset: number) => number;

/** Writes every byte of text to fd; from EAGAIN on, the rest goes to the stream. */
export function writeAllSync(
  fd: number,
  text: string | Uint8Array,
  stream: () => Output,
  write: WriteSync = writeSync,
): void {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += write(fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      stream().write(bytes.subarray(offset));
      return;
    }
  }
}

export const stdout: Output = { write: (text) => writeAllSync(1, text, () => process.stdout) };
export const stderr: Output = { write: (text) => writeAllSync(2, text, () => process.stderr) };
