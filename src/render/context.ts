// What the renderer needs besides the resources themselves. Everything non-deterministic — generated
// keys and passwords, certificate revisions, the CA bundle, the cluster domain, default images —
// comes in here, so render stays pure: the same input always gives the same bytes.

/** Identities of a JWT-mode cluster, generated once by the controller and kept in Secrets. */
export interface JwtIdentities {
  operatorJwt: string;
  systemAccountPublicKey: string;
  systemAccountJwt: string;
  /** account name -> public key and signed JWT */
  /** By NATS account name. jwt: the first JWT an offline render signs (the operator stores none). */
  accounts: Record<string, { publicKey: string; jwt?: string }>;
}

/** Secret material of one NatsUser, as the credentials Secret hands it to the application. */
export interface UserCredentials {
  /** Password users: the plaintext (credentials Secret) and its bcrypt hash (server config). */
  password?: { plaintext: string; bcryptHash: string };
  /** NKey users: the seed (credentials Secret) and the public key (server config). */
  nkey?: { seed: string; publicKey: string };
  /** Creds users (JWT mode): the decorated creds file content and the user's public key. */
  creds?: { content: string; publicKey: string };
  /**
   * The UID of the NatsUser these were generated for. A new NatsUser that takes a deleted one's name
   * is another resource and gets new credentials, never the old holder's (an old seed or password
   * must not log in as someone else). Absent on entries written before the binding existed.
   */
  ownerUid?: string;
}

/**
 * A cluster's generated identities: what the controller keeps in the `<cluster>-identities` Secret
 * (see controllers/natscluster/identities.ts) and the renderer reads.
 */
export interface ClusterIdentities {
  routePassword: string;
  /** JetStream encryption key (only read when encryption is on). */
  jetstreamKey?: string;
  /** JWT mode only. */
  jwt?: JwtIdentities;
  /** NatsUser metadata.name -> its credentials. */
  users: Record<string, UserCredentials>;
}

export interface RenderContext {
  clusterDomain: string;
  /** nats-server image used when spec.image is not set. */
  defaultImage: string;
  /** The operator's own image (reloader sidecar for the Reload rotation strategy). */
  operatorImage: string;
  /** Where the operator runs: its pods may reach the monitoring port (NetworkPolicy). Default nats-warden. */
  operatorNamespace?: string;
  identities: ClusterIdentities;
  /** PEM bundle the servers and clients trust: the current CA plus the previous one during a CA change. */
  trustBundle: string;
  /** cert-manager's status.revision per certificate role ('server', 'routes'); unknown before issuance. */
  certificateRevisions: Record<string, number | undefined>;
  /**
   * With spec.tls.client.pinIssuedCertificates: the hex SHA-256 of the DER SubjectPublicKeyInfo of each
   * client certificate the operator issued for this cluster, read from their Secrets (ADR 0010).
   */
  issuedCertificatePins?: string[];
  /** The StatefulSet's rollingUpdate.partition, driven by the operator's health-gated roll (0 when idle). */
  partition?: number;
  /** Recorded on the StatefulSet once every server was confirmed healthy (see controllers/natscluster/roll.ts). */
  verifiedKey?: string;
  /** The NatsUser controller writes Creds users' credentials Secrets (the cluster controller sets this). */
  credsSecretsElsewhere?: boolean;
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_NATS_IMAGE = 'nats:2.15.2-alpine';
export const DEFAULT_OPERATOR_NAMESPACE = 'nats-warden';
/** The operator's own image: the reloader sidecar runs it (`nats-warden reloader`). */
export const OPERATOR_IMAGE = 'ghcr.io/nats-warden/nats-warden:0.1.0';
