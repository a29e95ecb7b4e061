// nats-warden's command line. Each command is loaded only when asked for, so `render` and the
// reloader sidecar start without the Kubernetes client.
import { RenderError } from '../render/index.ts';
import { InputError } from './documents.ts';
import { stderr, stdout, type Output } from './stdio.ts';

const USAGE = `usage: nats-warden <command>
  render -f FILE [-f FILE...] [--cluster-domain DOMAIN]
      print every object the operator would create for the NatsCluster, NatsAccount and NatsUser
      documents given, as multi-document YAML, without a cluster
  operator [--namespace NS ...] [--health-addr HOST:PORT] [--kubeconfig PATH] [...]
      run the operator (in-cluster configuration when no kubeconfig is given);
      \`nats-warden operator --help\` lists every flag and environment variable
  reloader --pid-file FILE --watch DIR [--watch DIR...]
      sidecar: send nats-server SIGHUP when the mounted configuration, credentials or certificates change
`;

/** Runs a command; returns the process exit code. Bad input exits 1 with the field path named. */
export async function main(argv: string[], out: Output = stdout, err: Output = stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'render':
        out.write(await (await import('./render-command.ts')).renderCommand(rest));
        return 0;
      case 'operator': {
        // --help without loading the Kubernetes client and the controllers.
        const { operatorHelp, parseOperatorFlags } = await import('./operator-options.ts');
        if (parseOperatorFlags(rest).help) {
          out.write(operatorHelp());
          return 0;
        }
        return await (await import('./operator-command.ts')).operatorCommand(rest);
      }
      case 'reloader':
        return await (await import('./reloader-command.ts')).reloaderCommand(rest);
      case undefined:
      case '-h':
      case '--help':
        out.write(USAGE);
        return command ? 0 : 2;
      default:
        err.write(`unknown command ${command}\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof InputError || error instanceof RenderError) {
      err.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// Without top-level await, so that the CLI also bundles as one CommonJS file (scripts/bundle-cli.ts).
if (import.meta.url === `file://${process.argv[1]}`)
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
