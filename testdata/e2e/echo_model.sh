#!/bin/sh
# A model process for the exec adapter's end-to-end test: answers every
# JSON Lines request {"id": ..., "features": {...}} with a constant score,
# and fails the request whose id is "r007".
while IFS= read -r line; do
  id=$(printf '%s\n' "$line" | sed 's/^{"id":\("[^"]*"\).*/\1/')
  if [ "$id" = '"r007"' ]; then
    printf '{"id":%s,"error":"cannot score this one"}\n' "$id"
  else
    printf '{"id":%s,"score":0.25}\n' "$id"
  fi
done
