{{- define "platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of the umbrella's own resources (dashboards, dev signing key).
*/}}
{{- define "platform.labels" -}}
helm.sh/chart: {{ include "platform.chart" . }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Deployables enabled in this release, in a stable order.
*/}}
{{- define "platform.enabledApps" -}}
{{- $apps := list -}}
{{- range $app := list "user" "product" "order" "inventory" "gateway" }}
{{- if (index $.Values $app).enabled }}
{{- $apps = append $apps $app }}
{{- end }}
{{- end }}
{{- join "," $apps }}
{{- end }}
