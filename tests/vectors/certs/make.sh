#!/usr/bin/env bash
# Makes the X.509 test certificates in this folder with Debian's openssl (3.0): self-signed, each
# for a key whose public half the tests know from elsewhere (tests/vectors/k8s/), plus a fresh
# Ed25519 key (kept here, test-only). Run from this folder; the outputs are committed, since
# serials and dates differ on every run.
set -euo pipefail
k8s=../k8s
openssl genpkey -algorithm ed25519 -out ed25519_private.pem
req() { openssl req -x509 -new -key "$1" -subj "/CN=$2" -days 36500 -out "$3" -sha256 2>/dev/null; }
req $k8s/pkg_serviceaccount/rsaPrivateKey.pem "jwksgate test RSA" rsa.pem
req $k8s/pkg_serviceaccount/ecdsaPrivateKey.pem "jwksgate test P-256" p256.pem
req $k8s/oidc_testdata/ecdsa_1.pem "jwksgate test P-521" p521.pem
openssl req -x509 -new -key ed25519_private.pem -subj "/CN=jwksgate test Ed25519" -days 36500 -out ed25519.pem
# A version 1 certificate (no version field, no extensions): the optional [0] is absent.
openssl req -new -key $k8s/pkg_serviceaccount/ecdsaPrivateKey.pem -subj "/CN=jwksgate test v1" -out v1.csr
openssl x509 -req -in v1.csr -key $k8s/pkg_serviceaccount/ecdsaPrivateKey.pem -days 36500 -out p256_v1.pem 2>/dev/null
rm v1.csr
for c in rsa p256 p521 ed25519 p256_v1; do
  printf '%s: version %s, key %s\n' "$c.pem" "$(openssl x509 -in $c.pem -noout -text | grep -oE 'Version: [0-9]' | grep -oE '[0-9]')" \
    "$(openssl x509 -in $c.pem -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')"
done
