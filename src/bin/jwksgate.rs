//! The `jwksgate` command: `cargo install --path .` installs it; the code is `src/cli/`.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(jwksgate::cli::main());
}

// The command is native only; a wasm32 build of the crate (wasm-pack test) still compiles bins.
#[cfg(target_arch = "wasm32")]
fn main() {}
