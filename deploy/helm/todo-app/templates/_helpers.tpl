{{/*
Expand the name of the chart.
*/}}
{{- define "todo-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name. Truncated at 40 characters (helm-create uses 63)
because components append a suffix ("-postgresql") and a StatefulSet's name must leave room for
its pods' controller-revision-hash label (63 characters at most).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "todo-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "todo-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels of every object. Call with (dict "ctx" $ "component" "backend").
*/}}
{{- define "todo-app.labels" -}}
helm.sh/chart: {{ include "todo-app.chart" .ctx }}
{{ include "todo-app.selectorLabels" . }}
{{- if .ctx.Chart.AppVersion }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: {{ include "todo-app.name" .ctx }}
{{- end }}

{{/*
Selector labels: stable for the life of a release (Deployment selectors are immutable).
Call with (dict "ctx" $ "component" "backend").
*/}}
{{- define "todo-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-app.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Name of a component's objects: <fullname>-backend, <fullname>-frontend, <fullname>-postgresql.
Call with (dict "ctx" $ "component" "backend").
*/}}
{{- define "todo-app.componentName" -}}
{{- printf "%s-%s" (include "todo-app.fullname" .ctx) .component }}
{{- end }}

{{/*
Name of a component's ServiceAccount. Call with (dict "ctx" $ "component" "backend").
*/}}
{{- define "todo-app.serviceAccountName" -}}
{{- $sa := (index .ctx.Values .component).serviceAccount }}
{{- if $sa.create }}
{{- default (include "todo-app.componentName" .) $sa.name }}
{{- else }}
{{- default "default" $sa.name }}
{{- end }}
{{- end }}

{{/*
Full image reference of an app. The tag is required and never `latest` (the schema refuses
both; this guard also holds when schema validation is skipped).
Call with (dict "ctx" $ "component" "backend").
*/}}
{{- define "todo-app.image" -}}
{{- $image := (index .ctx.Values .component).image }}
{{- $tag := toString (default "" $image.tag) }}
{{- if or (eq $tag "") (eq $tag "latest") }}
{{- fail (printf "%s.image.tag must be set to the image's content tag (got %q): a moving tag such as latest never rolls out a new build; pass --set %s.image.tag=<tag>" .component $tag .component) }}
{{- end }}
{{- $registry := .ctx.Values.global.imageRegistry }}
{{- if $registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) $image.repository $tag }}
{{- else }}
{{- printf "%s:%s" $image.repository $tag }}
{{- end }}
{{- end }}

{{/*
Image of the in-chart PostgreSQL: its own registry, else global.imageRegistry.
*/}}
{{- define "todo-app.postgresql.image" -}}
{{- $image := .Values.postgresql.image }}
{{- $registry := default .Values.global.imageRegistry $image.registry }}
{{- if $registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) $image.repository (toString $image.tag) }}
{{- else }}
{{- printf "%s:%s" $image.repository (toString $image.tag) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the backend reads its secret settings from.
*/}}
{{- define "todo-app.backend.secretName" -}}
{{- default (include "todo-app.componentName" (dict "ctx" . "component" "backend")) .Values.backend.secret.existingSecret }}
{{- end }}

{{/*
Name of the Secret holding the in-chart PostgreSQL password (key `password`).
*/}}
{{- define "todo-app.postgresql.secretName" -}}
{{- default (include "todo-app.componentName" (dict "ctx" . "component" "postgresql")) .Values.postgresql.auth.existingSecret }}
{{- end }}

{{/*
The value of a generated secret: the value from values.yaml, else the one already stored in the
release's Secret (so upgrades keep it), else a new random one. `helm template` and `helm lint`
cannot read the cluster, so they render a new random value each time.
Call with (dict "ctx" $ "secret" <Secret name> "key" <key> "value" <value from values>).
*/}}
{{- define "todo-app.secretValue" -}}
{{- if .value }}
{{- .value }}
{{- else }}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .secret }}
{{- if and $existing (index ($existing.data | default dict) .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum 40 }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Pod securityContext of the apps: the images run as uid/gid 1001.
*/}}
{{- define "todo-app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1001
runAsGroup: 1001
fsGroup: 1001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Container securityContext of every container of the chart: nothing writable but the mounted
emptyDirs and volumes, no privilege escalation, no capabilities.
*/}}
{{- define "todo-app.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Probes of an app: startup and liveness on /health (the process serves; never its
dependencies), readiness on /ready (its critical dependencies answer).
Call with the component's values.
*/}}
{{- define "todo-app.probes" -}}
startupProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ .startupProbe.periodSeconds }}
  failureThreshold: {{ .startupProbe.failureThreshold }}
  timeoutSeconds: {{ .startupProbe.timeoutSeconds }}
livenessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: {{ .livenessProbe.periodSeconds }}
  failureThreshold: {{ .livenessProbe.failureThreshold }}
  timeoutSeconds: {{ .livenessProbe.timeoutSeconds }}
readinessProbe:
  httpGet:
    path: /ready
    port: http
  periodSeconds: {{ .readinessProbe.periodSeconds }}
  failureThreshold: {{ .readinessProbe.failureThreshold }}
  timeoutSeconds: {{ .readinessProbe.timeoutSeconds }}
{{- end }}

{{/*
Rules across values that the schema expresses poorly, checked on every render with messages
naming the values. The schema checks the same database rules; these also hold when a user skips
schema validation.
*/}}
{{- define "todo-app.validateValues" -}}
{{- $embedded := and (not .Values.postgresql.enabled) (not .Values.externalDatabase.enabled) }}
{{- if and .Values.postgresql.enabled .Values.externalDatabase.enabled }}
{{- fail "postgresql.enabled and externalDatabase.enabled are exclusive: choose the in-chart PostgreSQL or an external database" }}
{{- end }}
{{- if and $embedded (or (gt (int .Values.backend.replicaCount) 1) .Values.backend.autoscaling.enabled) }}
{{- fail (printf "backend.replicaCount is %d (autoscaling %t) but the backend uses its embedded database, which lives in one pod: set postgresql.enabled=true or externalDatabase.enabled=true for more than one replica" (int .Values.backend.replicaCount) .Values.backend.autoscaling.enabled) }}
{{- end }}
{{- if and .Values.externalDatabase.enabled (not .Values.backend.secret.existingSecret) (not .Values.backend.secret.databaseUrl) }}
{{- fail "externalDatabase.enabled needs its connection string: set backend.secret.existingSecret (a Secret with the key DATABASE_URL) or backend.secret.databaseUrl" }}
{{- end }}
{{- range $component := list "backend" "frontend" }}
{{- $values := index $.Values $component }}
{{- $drainSeconds := div (add (int (index $values.config "SHUTDOWN_TIMEOUT_MS")) 999) 1000 }}
{{- if le (int $values.terminationGracePeriodSeconds) (add (int $values.preStopSleepSeconds) $drainSeconds) }}
{{- fail (printf "%s.terminationGracePeriodSeconds (%d) must exceed %s.preStopSleepSeconds (%d) + %s.config.SHUTDOWN_TIMEOUT_MS in seconds (%d), or Kubernetes kills the pod while it drains" $component (int $values.terminationGracePeriodSeconds) $component (int $values.preStopSleepSeconds) $component $drainSeconds) }}
{{- end }}
{{- if and $values.autoscaling.enabled (gt (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) }}
{{- fail (printf "%s.autoscaling.minReplicas (%d) must not exceed %s.autoscaling.maxReplicas (%d)" $component (int $values.autoscaling.minReplicas) $component (int $values.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- end }}
