// The one error the renderer throws: input it cannot turn into objects (a field that conflicts with
// another resource, an identity not generated yet). `path` names the resource or field, so the
// controller's Degraded condition and the CLI's error line tell the user what to fix.
export class RenderError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}
