{{/* Names, labels and the image reference shared by every template. */}}

{{- define "nats-warden.fullname" -}}
{{- if contains "nats-warden" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-nats-warden" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The operator's pods carry app.kubernetes.io/name: nats-warden whatever the release is called: the
NetworkPolicy the operator renders for each NATS cluster admits its monitoring port from pods with
that label (src/render/network-policy.ts).
*/}}
{{- define "nats-warden.selectorLabels" -}}
app.kubernetes.io/name: nats-warden
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nats-warden.labels" -}}
{{ include "nats-warden.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: nats-warden
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "nats-warden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nats-warden.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "nats-warden.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
What the operator does in the namespaces it watches, derived from the code (src/k8s/client.ts,
src/k8s/informers.ts and the controllers' watches): informers list and watch; children are written
by server-side apply, which needs patch, and create when the object is new; nothing is ever deleted
(owner references let the garbage collector do it) or updated whole.
*/}}
{{- define "nats-warden.namespacedRules" -}}
# The three kinds it reconciles (informers).
- apiGroups: [natswarden.io]
  resources: [natsclusters]
  verbs: [list, watch]
# The revocation finalizer on accounts and users (merge patch of metadata.finalizers).
- apiGroups: [natswarden.io]
  resources: [natsaccounts, natsusers]
  verbs: [list, watch, patch]
- apiGroups: [natswarden.io]
  resources: [natsclusters/status, natsaccounts/status, natsusers/status]
  verbs: [patch]
# Children name their NatsCluster or NatsUser as controller with blockOwnerDeletion, which the
# OwnerReferencesPermissionEnforcement admission plugin allows only with update on the owner's finalizers.
- apiGroups: [natswarden.io]
  resources: [natsclusters/finalizers, natsusers/finalizers]
  verbs: [update]
# Issuers (its own self-signed and CA issuers; users' issuers are read) and certificates.
- apiGroups: [cert-manager.io]
  resources: [issuers, certificates]
  verbs: [list, watch, create, patch]
# A renewal request: Issuing=True on the Certificate's status, as `cmctl renew` does.
- apiGroups: [cert-manager.io]
  resources: [certificates/status]
  verbs: [patch]
- apiGroups: [cert-manager.io]
  resources: [certificaterequests]
  verbs: [list, watch]
# Secrets: identities, auth and route configuration, user credentials; get confirms a user's
# credentials Secret the cache has not seen yet.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, patch]
# Delete, never used as such: adopting the Secrets cert-manager writes (an owner reference added to an
# existing object, natscluster/adopt.ts) is allowed by the OwnerReferencesPermissionEnforcement
# admission plugin (OpenShift, among others) only to who may delete the object.
- apiGroups: [""]
  resources: [secrets]
  verbs: [delete]
# The server configuration and the accounts' revocation lists.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [list, watch, create, patch]
# The NATS servers' pods: readiness and the rolling restart; patch for one annotation, the kubelet's
# cue to refresh their Secret volumes now (src/controllers/natscluster/volume-refresh.ts).
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch, patch]
- apiGroups: [""]
  resources: [services, serviceaccounts]
  verbs: [create, patch]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [list, watch, create, patch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [create, patch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [create, patch]
{{- end -}}

{{/* Cluster-scoped reads: a NatsCluster may name a ClusterIssuer (spec.tls.issuerRef). */}}
{{- define "nats-warden.clusterRules" -}}
- apiGroups: [cert-manager.io]
  resources: [clusterissuers]
  verbs: [list, watch]
{{- end -}}
