//! A loaded plugin: compiled, pre-instantiated, described and checked.

use std::collections::BTreeSet;
use std::sync::Arc;

use scena_core::schema::Schema;
use scena_host_api::{Capability, validate_plugin_name};
use serde::Serialize;
use serde_json::Value;

use super::state::CallState;
use crate::bindings::{StepPre, wit};

/// What a plugin says about itself, checked.
#[derive(Debug, Clone, Serialize)]
pub struct PluginMeta {
    pub name: String,
    pub version: semver::Version,
    pub title: String,
    pub description: String,
    pub category: String,
    pub capabilities: Vec<Capability>,
    pub input_schema: Value,
    pub output_schema: Value,
}

impl PluginMeta {
    /// `name@version`, how flows and logs refer to a plugin.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

pub struct Plugin {
    pub sha256: String,
    pub size_bytes: usize,
    pub meta: PluginMeta,
    /// The component's imports, by their full names.
    pub imports: Vec<String>,
    pub(crate) pre: StepPre<CallState>,
    /// Shared with flow validation, which checks literal inputs against it.
    pub input: Arc<Schema>,
    pub(crate) output: Schema,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin").field("id", &self.meta.id()).field("sha256", &self.sha256).finish()
    }
}

/// Why a component cannot be used as a plugin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("not a WebAssembly file (no `\\0asm` header)")]
    NotWasm,
    #[error("this is a core WebAssembly module, not a component: build for wasm32-wasip2 (`scena plugin build`)")]
    CoreModule,
    #[error("invalid component: {0}")]
    Invalid(String),
    #[error("not a scena plugin: {0}")]
    NotAPlugin(String),
    #[error("component too large to compile: {0}")]
    TooLarge(String),
    #[error("component needs imports scena does not provide: {0}")]
    UnsupportedImport(String),
    #[error("describe() failed: {0}")]
    Describe(String),
    #[error("invalid plugin metadata: {0}")]
    Meta(String),
    #[error(
        "plugin `{plugin}` imports the `{capability}` atom ({import}) but does not declare the `{capability}` capability"
    )]
    UndeclaredImport { plugin: String, capability: Capability, import: String },
}

/// Tell a component from a core module or junk before handing it to the compiler.
pub fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    const COMPONENT_LAYER: [u8; 2] = [0x01, 0x00];
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(LoadError::NotWasm);
    }
    if bytes[6..8] != COMPONENT_LAYER {
        return Err(LoadError::CoreModule);
    }
    Ok(())
}

/// The interface every plugin exports (`host-api/wit/step.wit`).
const HANDLER: &str = "scena:plugin/handler@";
/// Interface packages a plugin may import: WASI as the sandbox provides it
/// (file and socket calls there answer with errors) and scena's own.
const KNOWN_IMPORTS: [&str; 7] =
    ["wasi:cli/", "wasi:clocks/", "wasi:filesystem/", "wasi:io/", "wasi:random/", "wasi:sockets/", "scena:plugin/"];
/// Bounds on what is handed to the compiler, which cannot be stopped once
/// started: code beyond these takes too long to compile to be an upload.
pub const MAX_FUNCTIONS: u64 = 100_000;
pub const MAX_CODE_BYTES: u64 = 16 << 20;

/// Read the component's outer imports and exports and size its code —
/// without compiling it — so that what is not a plugin, or too big to
/// compile, is refused in milliseconds.
pub fn check_structure(bytes: &[u8]) -> Result<(), LoadError> {
    use wasmparser::{Parser, Payload};
    let invalid = |e: wasmparser::BinaryReaderError| LoadError::Invalid(e.to_string());
    let (mut depth, mut functions, mut code_bytes, mut exports_handler) = (0u32, 0u64, 0u64, false);
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(imports) if depth == 0 => {
                for import in imports {
                    let name = import.map_err(invalid)?.name.name;
                    let known = KNOWN_IMPORTS.iter().any(|p| name.starts_with(p))
                        && (!name.starts_with("scena:plugin/")
                            || Capability::from_import(name).is_some()
                            || name.starts_with("scena:plugin/types@"));
                    if !known {
                        return Err(LoadError::UnsupportedImport(format!(
                            "`{name}`: scena provides WASI (cli, clocks, filesystem, io, random, sockets) and the scena:plugin atoms"
                        )));
                    }
                }
            }
            Payload::ComponentExportSection(exports) if depth == 0 => {
                for export in exports {
                    exports_handler |= export.map_err(invalid)?.name.name.starts_with(HANDLER);
                }
            }
            Payload::CodeSectionStart { count, size, .. } => {
                functions += u64::from(count);
                code_bytes += u64::from(size);
                if functions > MAX_FUNCTIONS || code_bytes > MAX_CODE_BYTES {
                    return Err(LoadError::TooLarge(format!(
                        "more than {MAX_FUNCTIONS} functions or {} MiB of code",
                        MAX_CODE_BYTES >> 20
                    )));
                }
            }
            _ => {}
        }
    }
    if !exports_handler {
        return Err(LoadError::NotAPlugin(
            "it does not export the `scena:plugin/handler` interface (build it with the scena plugin SDK)".into(),
        ));
    }
    Ok(())
}

/// Check what `describe()` returned; compile the schemas.
pub fn check_meta(meta: wit::StepMeta) -> Result<(PluginMeta, Schema, Schema), LoadError> {
    validate_plugin_name(&meta.name).map_err(|e| LoadError::Meta(e.to_string()))?;
    let version = semver::Version::parse(&meta.version)
        .map_err(|e| LoadError::Meta(format!("version `{}` is not semver: {e}", meta.version)))?;
    let capabilities = meta
        .capabilities
        .iter()
        .map(|c| c.parse::<Capability>().map_err(|e| LoadError::Meta(e.to_string())))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let input = Schema::compile(&meta.input_schema, "input").map_err(LoadError::Meta)?;
    let output = Schema::compile(&meta.output_schema, "output").map_err(LoadError::Meta)?;
    let parsed = PluginMeta {
        name: meta.name,
        version,
        title: meta.title,
        description: meta.description,
        category: meta.category,
        capabilities: capabilities.into_iter().collect(),
        input_schema: serde_json::from_str(&meta.input_schema).expect("compiled above"),
        output_schema: serde_json::from_str(&meta.output_schema).expect("compiled above"),
    };
    Ok((parsed, input, output))
}

/// Every scena atom the component imports must be declared.
pub fn check_imports(meta: &PluginMeta, imports: &[String]) -> Result<(), LoadError> {
    for import in imports {
        if let Some(capability) = Capability::from_import(import)
            && !meta.capabilities.contains(&capability)
        {
            return Err(LoadError::UndeclaredImport { plugin: meta.name.clone(), capability, import: import.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty component: valid, and no plugin.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn a_component_without_the_handler_export_is_not_a_plugin() {
        let error = check_structure(EMPTY_COMPONENT).unwrap_err();
        assert!(matches!(error, LoadError::NotAPlugin(_)), "{error}");
        assert!(error.to_string().contains("does not export the `scena:plugin/handler` interface"), "{error}");
        let truncated = [EMPTY_COMPONENT, &[0x0b, 0x7f]].concat();
        assert!(matches!(check_structure(&truncated), Err(LoadError::Invalid(_))));
    }

    #[test]
    fn headers_are_told_apart() {
        assert_eq!(check_header(b"hello world"), Err(LoadError::NotWasm));
        assert_eq!(check_header(b"\0asm\x01\0\0\0"), Err(LoadError::CoreModule));
        assert_eq!(check_header(b"\0asm\x0d\0\x01\0"), Ok(()));
    }

    fn meta(name: &str, version: &str, caps: &[&str], schema: &str) -> wit::StepMeta {
        wit::StepMeta {
            name: name.into(),
            version: version.into(),
            title: "t".into(),
            description: "d".into(),
            category: "c".into(),
            input_schema: schema.into(),
            output_schema: "true".into(),
            capabilities: caps.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn bad_metadata_is_refused_with_the_reason() {
        let err = |m| check_meta(m).err().unwrap().to_string();
        assert!(err(meta("Bad Name", "1.0.0", &[], "{}")).contains("invalid plugin name"));
        assert!(err(meta("ok", "one", &[], "{}")).contains("not semver"));
        assert!(err(meta("ok", "1.0.0", &["sockets"], "{}")).contains("unknown capability `sockets`"));
        assert!(err(meta("ok", "1.0.0", &[], "{\"type\": 12}")).contains("input schema is not a valid JSON Schema"));
        assert!(err(meta("ok", "1.0.0", &[], "not json")).contains("input schema is not JSON"));
        assert!(check_meta(meta("ok", "1.0.0", &["http"], "{\"type\": \"object\"}")).is_ok());
    }

    #[test]
    fn undeclared_atom_imports_are_named() {
        let (declared, _, _) = check_meta(meta("p", "1.0.0", &["log"], "{}")).unwrap();
        let imports = vec!["wasi:cli/stdout@0.2.6".to_string(), "scena:plugin/log@0.1.2".to_string()];
        assert!(check_imports(&declared, &imports).is_ok());
        let imports = vec!["scena:plugin/http@0.1.2".to_string()];
        let error = check_imports(&declared, &imports).unwrap_err().to_string();
        assert!(error.contains("imports the `http` atom (scena:plugin/http@0.1.2)"), "{error}");
    }
}
