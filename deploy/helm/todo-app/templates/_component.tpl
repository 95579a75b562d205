{{/*
Objects both apps have and that differ only by the app: defined once here, so that a change
reaches both. Each one is rendered by a thin <app>-<kind>.yaml file (one file per object keeps
`helm template --show-only` and the `# Source:` comments naming the app).
Call with (dict "ctx" $ "component" "backend").
*/}}

{{/*
HorizontalPodAutoscaler of an app, when <app>.autoscaling.enabled: it owns the replica count.
*/}}
{{- define "todo-app.horizontalPodAutoscaler" -}}
{{- $autoscaling := (index .ctx.Values .component).autoscaling }}
{{- if $autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "todo-app.componentName" . }}
  labels:
    {{- include "todo-app.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "todo-app.componentName" . }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ $autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{/*
PodDisruptionBudget of an app, when <app>.podDisruptionBudget.enabled.
*/}}
{{- define "todo-app.podDisruptionBudget" -}}
{{- $budget := (index .ctx.Values .component).podDisruptionBudget }}
{{- if $budget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "todo-app.componentName" . }}
  labels:
    {{- include "todo-app.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $budget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "todo-app.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/*
ServiceAccount of an app, when <app>.serviceAccount.create.
*/}}
{{- define "todo-app.serviceAccount" -}}
{{- $serviceAccount := (index .ctx.Values .component).serviceAccount }}
{{- if $serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "todo-app.serviceAccountName" . }}
  labels:
    {{- include "todo-app.labels" . | nindent 4 }}
  {{- with $serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
# The app never calls the Kubernetes API: no token in its pods.
automountServiceAccountToken: false
{{- end }}
{{- end }}
