#!/usr/bin/env bash
# Each signature family's share of the package's .wasm: the package's build (release profile,
# wasm-bindgen --target web, the pinned wasm-opt with Cargo.toml's flags) with every family, with
# RSA alone (--no-default-features) and with RSA plus one family (cargo features es256, es384,
# es512, eddsa; p256-crate: ES256 on RustCrypto's p256 instead of ours), for the SIMD and the
# scalar build; prints raw and gzip -9 sizes. Needs
# wasm-bindgen and scripts/binaryen (make tools). Builds in target/size-simd/ and target/size-scalar/.
set -euo pipefail
cd "$(dirname "$0")/.."
opt=scripts/binaryen/node_modules/.bin/wasm-opt
flags=(-O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)
printf '%-8s %-22s %9s %9s\n' build features raw gzip
for build in simd scalar; do
  # The scalar build as the Makefile makes it: sha2's compact rounds, and sha2 at "s" (SCALAR_CONFIG).
  if [ $build = simd ]; then rustflags="-C target-feature=+simd128"; extra=(--enable-simd); config=(); else rustflags='--cfg sha2_backend_soft="compact"'; extra=(); config=(--config 'profile.release.package.sha2.opt-level="s"'); fi
  for features in all rsa es256 p256-crate es384 es512 es256,es384,es512 eddsa; do
    case $features in
      all) args=() ;;
      rsa) args=(--no-default-features) ;;
      *) args=(--no-default-features --features "$features") ;;
    esac
    dir=target/size-$build
    CARGO_TARGET_DIR=$dir CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$rustflags" \
      cargo build -q --release --lib --target wasm32-unknown-unknown "${config[@]}" "${args[@]}"
    out=$dir/out/$features && mkdir -p "$out"
    wasm-bindgen --target web --out-dir "$out" "$dir/wasm32-unknown-unknown/release/jwksgate.wasm"
    "$opt" "${flags[@]}" "${extra[@]}" "$out/jwksgate_bg.wasm" -o "$out/opt.wasm"
    printf '%-8s %-22s %9d %9d\n' $build "$features" "$(stat -c %s "$out/opt.wasm")" "$(gzip -9 -c "$out/opt.wasm" | wc -c)"
  done
done
