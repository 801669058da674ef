{{/* vim: set filetype=mustache: */}}

{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "event-scheduler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified app name: release name, plus the chart name unless the release contains it. */}}
{{- define "event-scheduler.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "event-scheduler.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The four services, in start order. */}}
{{- define "event-scheduler.services" -}}
api prequeuer dispatcher worker
{{- end -}}

{{/* Labels shared by every object. */}}
{{- define "event-scheduler.labels" -}}
helm.sh/chart: {{ include "event-scheduler.chart" . }}
app.kubernetes.io/name: {{ include "event-scheduler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: event-scheduler
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Name of one service's objects: <fullname>-<service>. Call with (dict "root" $ "service" "api"). */}}
{{- define "event-scheduler.componentName" -}}
{{- printf "%s-%s" (include "event-scheduler.fullname" .root) .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one service. Call with (dict "root" $ "service" "api"). */}}
{{- define "event-scheduler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "event-scheduler.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* All labels of one service's objects. Call with (dict "root" $ "service" "api"). */}}
{{- define "event-scheduler.componentLabels" -}}
{{ include "event-scheduler.labels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* Image of one service. Call with (dict "root" $ "service" "api"). */}}
{{- define "event-scheduler.image" -}}
{{- $values := index .root.Values .service -}}
{{- $repository := default (printf "%s-%s" .root.Values.image.repositoryPrefix .service) $values.image.repository -}}
{{- $tag := default (default .root.Chart.AppVersion .root.Values.image.tag) $values.image.tag -}}
{{- printf "%s:%s" $repository (toString $tag) -}}
{{- end -}}

{{/* The environment variable that sets one service's HTTP port. */}}
{{- define "event-scheduler.portEnv" -}}
{{- if eq .service "api" -}}API_PORT{{- else -}}{{ upper .service }}_HEALTH_PORT{{- end -}}
{{- end -}}

{{- define "event-scheduler.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "event-scheduler.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding MONGO_URL: mongo.existingSecret, else <fullname>-mongo. */}}
{{- define "event-scheduler.mongoSecret" -}}
{{- default (printf "%s-mongo" (include "event-scheduler.fullname" .)) .Values.mongo.existingSecret | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret holding REDIS_URL: redis.existingSecret, else <fullname>-redis. */}}
{{- define "event-scheduler.redisSecret" -}}
{{- default (printf "%s-redis" (include "event-scheduler.fullname" .)) .Values.redis.existingSecret | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "event-scheduler.configMapName" -}}
{{- printf "%s-config" (include "event-scheduler.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Checks that fail the render with a clear message instead of deploying something broken or unsafe.
*/}}
{{- define "event-scheduler.validate" -}}
{{- range $key, $_ := .Values.config -}}
{{- if has (upper $key) (list "MONGO_URL" "MONGO_URI" "REDIS_URL" "API_ADMIN_API_KEY" "API_DEV_API_KEY") -}}
{{- fail (printf "config.%s is not allowed: connection URLs and API keys come from Secrets (mongo.existingSecret, redis.existingSecret, apiKeys.existingSecret), never from the ConfigMap" $key) -}}
{{- end -}}
{{- end -}}
{{- $shutdown := int (default "25" (toString (index .Values.config "SHUTDOWN_TIMEOUT_SECONDS"))) -}}
{{- range $service := splitList " " (include "event-scheduler.services" .) -}}
{{- $values := index $.Values $service -}}
{{- range $values.extraEnv -}}
{{- if eq (upper .name) "API_DEV_API_KEY" -}}
{{- fail (printf "%s.extraEnv: API_DEV_API_KEY is a development-only key and is refused by this chart; use apiKeys.existingSecret" $service) -}}
{{- end -}}
{{- end -}}
{{- if and $values.enabled $values.pdb.enabled -}}
{{- $replicas := int (ternary $values.autoscaling.minReplicas $values.replicaCount $values.autoscaling.enabled) -}}
{{- $max := $values.pdb.maxUnavailable -}}
{{- $min := $values.pdb.minAvailable -}}
{{- if not (kindIs "invalid" $max) -}}
{{- if and (not (kindIs "string" $max)) (lt (int $max) 1) -}}
{{- fail (printf "%s.pdb.maxUnavailable %v blocks every node drain: use 1 or more" $service $max) -}}
{{- end -}}
{{- else if and (not (kindIs "string" $min)) (ge (int $min) $replicas) -}}
{{- fail (printf "%s.pdb.minAvailable %v with %d replica(s) blocks every node drain: lower it below the replicas, raise %s.replicaCount, or set %s.pdb.enabled=false" $service $min $replicas $service $service) -}}
{{- end -}}
{{- end -}}
{{- $grace := int $values.terminationGracePeriodSeconds -}}
{{- $preStop := int (default 0 $values.preStopSleepSeconds) -}}
{{- if le $grace (add $shutdown $preStop) -}}
{{- fail (printf "%s.terminationGracePeriodSeconds (%d) must be greater than SHUTDOWN_TIMEOUT_SECONDS (%d) + %s.preStopSleepSeconds (%d), or pods are killed before they finish stopping" $service $grace $shutdown $service $preStop) -}}
{{- end -}}
{{- end -}}
{{- end -}}
