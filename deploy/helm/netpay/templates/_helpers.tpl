{{- define "netpay.fullname" -}}
{{- printf "%s-netpay" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "netpay.labels" -}}
app.kubernetes.io/part-of: netpay
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "netpay.secretName" -}}
{{- if .Values.secrets.existingSecret -}}{{ .Values.secrets.existingSecret }}{{- else -}}{{ include "netpay.fullname" . }}{{- end -}}
{{- end -}}

{{- define "netpay.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* The secret files a pod mounts: only the keys its role needs (ctx: root, keys: list). */}}
{{- define "netpay.secretVolume" -}}
- name: secrets
  secret:
    secretName: {{ include "netpay.secretName" .root }}
    defaultMode: 0400
    items:
      {{- range .keys }}
      - key: {{ . }}
        path: {{ . }}
      {{- end }}
{{- end -}}

{{- define "netpay.probes" -}}
livenessProbe:
  httpGet: { path: /health, port: http }
  periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
readinessProbe:
  httpGet: { path: /health/ready, port: http }
  periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
startupProbe:
  httpGet: { path: /health, port: http }
  periodSeconds: {{ .Values.probes.startup.periodSeconds }}
  timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
  failureThreshold: {{ .Values.probes.startup.failureThreshold }}
{{- end -}}

{{/* Environment every service shares (nothing secret: secrets are *_FILE paths). */}}
{{- define "netpay.commonEnv" -}}
- { name: NODE_ENV, value: production }
- { name: LOG_FORMAT, value: json }
- { name: HOST, value: 0.0.0.0 }
- { name: EVENT_STORE, value: jetstream }
- { name: NATS_URL, value: {{ join "," .Values.nats.urls | quote }} }
- { name: NATS_SUBJECT_PREFIX, value: {{ .Values.nats.subjectPrefix | quote }} }
- { name: EVENT_STORE_STREAM, value: {{ .Values.eventStore.stream | quote }} }
- { name: EVENT_STORE_SUBJECT_PREFIX, value: {{ .Values.eventStore.subjectPrefix | quote }} }
{{- end -}}

{{- define "netpay.extraEnv" -}}
{{- range $name, $value := . }}
- { name: {{ $name }}, value: {{ $value | quote }} }
{{- end }}
{{- end -}}

{{/*
The broker keys vendors and the redemption worker trust: the root's public keys (they learn every
working key from the key list it signs: a rotation of the broker's key changes nothing of theirs)
and/or pinned working keys. At least one is required.
*/}}
{{- define "netpay.brokerKeysEnv" -}}
{{- if not (or .Values.brokerRootPublicKeys .Values.brokerPublicKeys) }}
{{- fail "brokerRootPublicKeys (recommended: the root that signs the broker key list) or brokerPublicKeys is required (keyId:publicKeyHex,…)" }}
{{- end }}
{{- with .Values.brokerRootPublicKeys }}
- { name: BROKER_ROOT_PUBLIC_KEYS, value: {{ . | quote }} }
{{- end }}
{{- with .Values.brokerPublicKeys }}
- { name: BROKER_PUBLIC_KEYS, value: {{ . | quote }} }
{{- end }}
{{- end -}}
