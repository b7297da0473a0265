{{/*
Chart name: the umbrella's alias (user, product, ...) unless nameOverride is set.
*/}}
{{- define "microservice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<name>, truncated to 63 characters (DNS label). Other pods reach the app at http://<fullname>.
*/}}
{{- define "microservice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "microservice.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of the deployable as the application knows it (SERVICE_NAME, the `service` label of its metrics).
*/}}
{{- define "microservice.serviceName" -}}
{{- default (include "microservice.name" .) .Values.serviceName }}
{{- end }}

{{/*
helm.sh/chart label. The name is spelled out: under an umbrella alias .Chart.Name is the alias, not this chart.
*/}}
{{- define "microservice.chart" -}}
{{- printf "microservice-%s" .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "microservice.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/*
Image tag as a label value: a tag may carry a digest (tag@sha256:...), which is not a valid label value.
*/}}
{{- define "microservice.versionLabel" -}}
{{- regexReplaceAll "[^-A-Za-z0-9_.]" (include "microservice.imageTag" . | splitList "@" | first) "-" | trunc 63 | trimAll "-_." }}
{{- end }}

{{- define "microservice.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "microservice.imageTag" .) }}
{{- end }}

{{/*
Selector labels. They are immutable on a Deployment, so they never include anything that changes between
releases (no version, no chart, no role).
*/}}
{{- define "microservice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "microservice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels shared by every resource of the deployable.
*/}}
{{- define "microservice.commonLabels" -}}
helm.sh/chart: {{ include "microservice.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "microservice.versionLabel" . | quote }}
app.kubernetes.io/part-of: {{ .Values.partOf }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of the application's resources and pods.
*/}}
{{- define "microservice.labels" -}}
{{ include "microservice.commonLabels" . }}
app.kubernetes.io/name: {{ include "microservice.name" . }}
app.kubernetes.io/component: {{ .Values.role }}
{{- end }}

{{/*
Migration Job resources carry a different app.kubernetes.io/name, so the Service never selects the Job's pod and
the app's NetworkPolicy does not apply to it.
*/}}
{{- define "microservice.migrationName" -}}
{{- printf "%s-migration" (include "microservice.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "microservice.migrationFullname" -}}
{{- printf "%s-migration" (include "microservice.fullname" . | trunc 53 | trimSuffix "-") }}
{{- end }}

{{- define "microservice.migrationSelectorLabels" -}}
app.kubernetes.io/name: {{ include "microservice.migrationName" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "microservice.migrationLabels" -}}
{{ include "microservice.commonLabels" . }}
app.kubernetes.io/name: {{ include "microservice.migrationName" . }}
app.kubernetes.io/component: migration
{{- end }}

{{- define "microservice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "microservice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Environment the chart owns; it overrides `config` entries with the same name.
*/}}
{{- define "microservice.chartEnv" -}}
{{- $name := include "microservice.serviceName" . -}}
{{- dict "SERVICE_NAME" $name "OTEL_SERVICE_NAME" $name "PORT" (toString .Values.containerPorts.http) "METRICS_PORT" (toString .Values.containerPorts.metrics) | toYaml }}
{{- end }}

{{/*
ConfigMap data: `config` rendered through tpl (null entries dropped), then the chart's own variables.
*/}}
{{- define "microservice.configData" -}}
{{- $data := dict -}}
{{- range $key, $value := .Values.config }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $data $key (tpl (toString $value) $) }}
{{- end }}
{{- end }}
{{- $data = mergeOverwrite $data (include "microservice.chartEnv" . | fromYaml) -}}
{{- range $key := keys $data | sortAlpha }}
{{ $key }}: {{ get $data $key | quote }}
{{- end }}
{{- end }}

{{/*
Name of the Secret with the secret environment, empty when there is none.
*/}}
{{- define "microservice.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.secrets }}
{{- include "microservice.fullname" . }}
{{- end }}
{{- end }}

{{/*
Pod spec fragments shared by the Deployment and the migration Job.
*/}}
{{- define "microservice.podSecurity" -}}
automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "microservice.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- with .Values.tmpVolume.medium }}
    medium: {{ . }}
    {{- end }}
    {{- with .Values.tmpVolume.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}

{{/*
NetworkPolicy peer for an infrastructure dependency: {namespaceSelector, podSelector, ports}.
*/}}
{{- define "microservice.egressRule" -}}
- to:
    - namespaceSelector:
        {{- toYaml .namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .podSelector | nindent 8 }}
  ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end }}

{{/*
Peer selecting platform pods by app name in this namespace; "*" selects every pod of the platform.
*/}}
{{- define "microservice.appsPeer" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/part-of: {{ .root.Values.partOf }}
    {{- if not (has "*" .apps) }}
    matchExpressions:
      - key: app.kubernetes.io/name
        operator: In
        values:
          {{- toYaml .apps | nindent 10 }}
    {{- end }}
{{- end }}

{{/*
Label selector used in PromQL for this deployable's series.
*/}}
{{- define "microservice.promSelector" -}}
service="{{ include "microservice.serviceName" . }}",namespace="{{ .Release.Namespace }}"
{{- end }}
