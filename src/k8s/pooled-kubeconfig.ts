// A KubeConfig whose requests share one pool of kept-alive connections. client-node 2.0 builds a new
// undici Agent, so a new connection and TLS handshake, for every request it authenticates
// (KubeConfig.applySecurityAuthentication): a cold start of 10,000 users held some 600 connections
// to the API server and paid a handshake per write on both sides. The Agent it builds is kept per
// TLS identity (CA, client certificate and key), so a rotated certificate gets a pool of its own;
// headers (a bearer token, re-read by client-node on each request) are set per request as before.
import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class PooledKubeConfig extends KubeConfig {
  private pool?: { identity: string; dispatcher: Dispatcher };

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (!made) return; // plain HTTP without TLS material: nothing pooled by client-node either
    const identity = await this.tlsIdentity();
    if (this.pool?.identity !== identity) {
      const old = this.pool?.dispatcher;
      this.pool = { identity, dispatcher: made };
      void old?.close().catch(() => undefined); // in-flight requests finish first
      return;
    }
    void made.close().catch(() => undefined); // never connected: nothing to wait for
    context.setDispatcher(this.pool.dispatcher);
  }

  /** A digest of the TLS material a connection is made with. */
  private async tlsIdentity(): Promise<string> {
    const options: RequestOptions = {};
    await this.applyToHTTPSOptions(options);
    const hash = createHash('sha256');
    for (const part of [options.ca, options.cert, options.key, options.pfx, options.servername])
      hash.update(`${part === undefined ? '' : String(part)}\0`);
    hash.update(String(options.rejectUnauthorized));
    return hash.digest('hex');
  }
}
