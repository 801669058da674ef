# FerretDB v1 logs every error reply at WARN as two records: the header, then the message. Two
# kinds are expected and harmless: "collection already exists" (code 48; the services create
# their collections at every start) and the driver's endSessions when a client disconnects (a
# command FerretDB v1 lacks). scripts/services.sh pipes FerretDB's output through this filter so
# that those pairs are dropped and real warnings stand out in .local/logs/ferretdb-*.log.
/msg="Response header:/ { if (held != "") print held; held = $0; fflush(); next }
held != "" {
  if ($0 ~ /NamespaceExists|no such command: .endSessions/) { held = ""; next }
  print held
  held = ""
}
{ print; fflush() }
END { if (held != "") print held }
