//! `scena-wasm-bindgen MODULE OUT_DIR`: write the ES-module glue (`--target
//! web`, no TypeScript) for a wasm-bindgen module into OUT_DIR: what
//! wasm-bindgen's CLI writes with `--target web --no-typescript`.

use std::process::ExitCode;

use wasm_bindgen_cli_support::Bindgen;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [module, out] = args.as_slice() else {
        eprintln!("usage: scena-wasm-bindgen MODULE OUT_DIR");
        return ExitCode::from(2);
    };
    let bound = Bindgen::new()
        .input_path(module)
        .web(true)
        .and_then(|b| b.typescript(false).omit_default_module_path(false).generate(out));
    match bound {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scena-wasm-bindgen: cannot bind {module}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
