#!/usr/bin/env bash
# docker compose: run once by the postgres image when it creates its cluster, so the
# postgres-replica service may stream from it (password auth, the compose network only).
set -euo pipefail
echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
