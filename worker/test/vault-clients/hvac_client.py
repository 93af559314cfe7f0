"""Drives hvac, the Python Vault client, against a gate on loopback, for vault-clients.test.mjs.

Reads {"url", "mount", "steps": [{"op": "login", "role", "jwt"} | {"op": "k8s_login", "role", "jwt"} | {"op": "lookup_self"} |
{"op": "lookup_self_post"} | {"op": "renew_self"} | {"op": "revoke_self"}]} on stdin and prints
one JSON result per step: {"ok": true, "body": ...} or {"ok": false, "error": class name,
"errors": [...]}. The token a login returns is used by the steps after it, as hvac does.
"""
import json
import sys

import hvac
from hvac import exceptions


def run(client, mount, step):
    op = step["op"]
    if op == "login":
        return client.auth.jwt.jwt_login(role=step.get("role"), jwt=step["jwt"], path=mount)
    if op == "k8s_login":
        # Vault's Kubernetes method: POST auth/<mount>/login with {role, jwt}.
        return client.auth.kubernetes.login(role=step.get("role"), jwt=step["jwt"], mount_point=mount)
    if op == "lookup_self":
        return client.auth.token.lookup_self()
    if op == "lookup_self_post":
        # Vault serves lookup-self to writes too (UpdateOperation).
        return client.adapter.post("/v1/auth/token/lookup-self", json={})
    if op == "renew_self":
        return client.auth.token.renew_self()
    if op == "revoke_self":
        resp = client.auth.token.revoke_self()
        return {"status": getattr(resp, "status_code", None)}
    raise ValueError(op)


def main():
    script = json.load(sys.stdin)
    client = hvac.Client(url=script["url"], timeout=30)
    out = []
    for step in script["steps"]:
        try:
            out.append({"ok": True, "body": run(client, script.get("mount", "jwt"), step)})
        except exceptions.VaultError as e:
            out.append({"ok": False, "error": type(e).__name__, "errors": e.errors if isinstance(e.errors, list) else [str(e)]})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
