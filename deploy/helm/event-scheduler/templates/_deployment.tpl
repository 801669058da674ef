{{/*
The Deployment of one service. Each deployment-<service>.yaml calls this with
(dict "root" $ "service" "<service>"), so every service is its own Deployment with its own
replicas, resources, image and probes, and can be scaled on its own.
*/}}
{{- define "event-scheduler.deployment" -}}
{{- $root := .root -}}
{{- $service := .service -}}
{{- $values := index $root.Values $service -}}
{{- $ctx := dict "root" $root "service" $service -}}
{{- $autoscaling := and (hasKey $values "autoscaling") $values.autoscaling.enabled -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "event-scheduler.componentName" $ctx }}
  labels:
    {{- include "event-scheduler.componentLabels" $ctx | nindent 4 }}
spec:
  {{- if not $autoscaling }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    {{- if $values.strategy }}
    {{- toYaml $values.strategy | nindent 4 }}
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
    {{- end }}
  selector:
    matchLabels:
      {{- include "event-scheduler.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "event-scheduler.componentLabels" $ctx | nindent 8 }}
      annotations:
        # Roll the pods when the non-secret settings change.
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $values.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "event-scheduler.serviceAccountName" $root }}
      # The services do not call the Kubernetes API.
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # Above SHUTDOWN_TIMEOUT_SECONDS (+ preStop sleep): the service drains and exits on SIGTERM
      # before the kubelet would SIGKILL it. Checked at render time.
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      {{- with $root.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $service }}
          image: {{ include "event-scheduler.image" $ctx | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          {{- with $root.Values.securityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "event-scheduler.configMapName" $root }}
          env:
            - name: {{ include "event-scheduler.portEnv" $ctx }}
              value: {{ $values.port | quote }}
            - name: MONGO_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "event-scheduler.mongoSecret" $root }}
                  key: {{ $root.Values.mongo.existingSecretKey }}
            - name: REDIS_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "event-scheduler.redisSecret" $root }}
                  key: {{ $root.Values.redis.existingSecretKey }}
            {{- if and (eq $service "api") $root.Values.apiKeys.existingSecret }}
            - name: API_ADMIN_API_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ $root.Values.apiKeys.existingSecret }}
                  key: {{ $root.Values.apiKeys.adminKeyKey }}
            {{- end }}
            {{- with $values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- if gt (int (default 0 $values.preStopSleepSeconds)) 0 }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", {{ $values.preStopSleepSeconds | quote }}]
          {{- end }}
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
            timeoutSeconds: {{ $root.Values.probes.startup.timeoutSeconds }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
            timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
            failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
            timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
          {{- with $values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            # The root filesystem is read-only; a writable /tmp for Node.js and libraries.
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      {{- with (default $root.Values.nodeSelector $values.nodeSelector) }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.tolerations $values.tolerations) }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.affinity $values.affinity) }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $root.Values.topologySpreadConstraints $values.topologySpreadConstraints) }}
      topologySpreadConstraints:
        {{- range . }}
        {{- $constraint := deepCopy . }}
        {{- if not (hasKey $constraint "labelSelector") }}
        {{- $_ := set $constraint "labelSelector" (dict "matchLabels" (include "event-scheduler.selectorLabels" $ctx | fromYaml)) }}
        {{- end }}
        {{- toYaml (list $constraint) | nindent 8 }}
        {{- end }}
      {{- end }}
{{- end -}}
