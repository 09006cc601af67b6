#!/usr/bin/env bash
# Inputs: INPUT_MESSAGE, INPUT_WEBHOOK. Output: delivered=webhook|printed.
set -euo pipefail
if [[ -z "${INPUT_WEBHOOK:-}" ]]; then
  printf '%s\n' "$INPUT_MESSAGE"
  echo "delivered=printed" >> "$FLOW_OUTPUT"
  exit 0
fi
# Build the JSON body with python3 so any character in the message is escaped correctly.
body=$(python3 -c 'import json, os; print(json.dumps({"text": os.environ["INPUT_MESSAGE"]}))')
curl --fail --silent --show-error --max-time 30 -H 'Content-Type: application/json' --data "$body" "$INPUT_WEBHOOK" >/dev/null
echo "delivered=webhook" >> "$FLOW_OUTPUT"
