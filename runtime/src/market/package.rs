//! The package an app version travels in (`.scena-app`): a gzipped tar of the
//! manifest (`scena-app.json`), the files it lists by sha256, and — once
//! published — the publisher's signature over the manifest's exact bytes
//! (`scena-app.sig`). Reading is bounded and refuses anything but plain files
//! at plain relative paths; verifying checks every byte against the manifest
//! and the manifest against the signature.

use std::collections::BTreeMap;
use std::io::Read;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature as EdSignature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::Manifest;

pub const MANIFEST_FILE: &str = "scena-app.json";
pub const SIGNATURE_FILE: &str = "scena-app.sig";
/// The most a package may hold, unpacked.
pub const MAX_UNPACKED_BYTES: u64 = 96 << 20;
const MAX_FILES: usize = 512;

/// A signature over a manifest: which publisher, with which key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub algorithm: String,
    pub publisher: String,
    /// The publisher's ed25519 public key, base64.
    pub public_key: String,
    /// The signature of the manifest's bytes, base64.
    pub signature: String,
}

/// A package read into memory.
#[derive(Debug, Clone)]
pub struct Package {
    pub manifest_bytes: Vec<u8>,
    pub manifest: Manifest,
    pub signature: Option<Signature>,
    pub files: BTreeMap<String, Vec<u8>>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Package {
    /// A package from a manifest and its files; the manifest's `files` are
    /// computed here, so they match.
    pub fn assemble(mut manifest: Manifest, files: BTreeMap<String, Vec<u8>>) -> anyhow::Result<Package> {
        manifest.files = files.iter().map(|(path, bytes)| (path.clone(), sha256_hex(bytes))).collect();
        let manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
        Ok(Package { manifest_bytes, manifest, signature: None, files })
    }

    /// Read a `.scena-app`; what is wrong with it, named, if it is not one.
    pub fn read(bytes: &[u8]) -> Result<Package, String> {
        let decoder = flate2::read::GzDecoder::new(bytes);
        let mut archive = tar::Archive::new(decoder.take(MAX_UNPACKED_BYTES + 1));
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        let entries = archive.entries().map_err(|e| format!("not a .scena-app package (a gzipped tar): {e}"))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| format!("not a .scena-app package (a gzipped tar): {e}"))?;
            let path =
                entry.path().map_err(|e| format!("a file name is unreadable: {e}"))?.to_string_lossy().into_owned();
            if entry.header().entry_type().is_dir() {
                continue;
            }
            if !entry.header().entry_type().is_file() {
                return Err(format!("`{path}` is not a plain file; a package holds only files"));
            }
            if !plain_path(&path) {
                return Err(format!("`{path}` is not a plain relative path"));
            }
            if files.len() == MAX_FILES {
                return Err(format!("more than {MAX_FILES} files"));
            }
            let mut content = Vec::new();
            entry.read_to_end(&mut content).map_err(|e| format!("`{path}` is unreadable: {e}"))?;
            total += content.len() as u64;
            if total > MAX_UNPACKED_BYTES {
                return Err(format!("more than {} MiB unpacked", MAX_UNPACKED_BYTES >> 20));
            }
            if files.insert(path.clone(), content).is_some() {
                return Err(format!("`{path}` is in the package twice"));
            }
        }
        let manifest_bytes =
            files.remove(MANIFEST_FILE).ok_or_else(|| format!("no {MANIFEST_FILE}: not a .scena-app package"))?;
        let manifest: Manifest =
            serde_json::from_slice(&manifest_bytes).map_err(|e| format!("{MANIFEST_FILE}: {e}"))?;
        let signature = match files.remove(SIGNATURE_FILE) {
            Some(bytes) => Some(serde_json::from_slice(&bytes).map_err(|e| format!("{SIGNATURE_FILE}: {e}"))?),
            None => None,
        };
        Ok(Package { manifest_bytes, manifest, signature, files })
    }

    /// Every file the manifest lists is here with its sha256, and nothing else is.
    pub fn verify_files(&self) -> Result<(), String> {
        for (path, expected) in &self.manifest.files {
            match self.files.get(path) {
                None => return Err(format!("`{path}` is listed in the manifest but missing")),
                Some(bytes) if sha256_hex(bytes) != *expected => {
                    return Err(format!("`{path}` does not match its sha256 in the manifest: the package was altered"));
                }
                Some(_) => {}
            }
        }
        if let Some(extra) = self.files.keys().find(|p| !self.manifest.files.contains_key(*p)) {
            return Err(format!("`{extra}` is in the package but not in the manifest"));
        }
        Ok(())
    }

    /// The files verified, and the manifest signed by `public_key` (base64) for `publisher`.
    pub fn verify(&self, publisher: &str, public_key: &str) -> Result<(), String> {
        let signature = self.signature.as_ref().ok_or("the package is not signed")?;
        if signature.publisher != publisher || self.manifest.publisher.as_deref() != Some(publisher) {
            return Err(format!("the package is not signed by publisher `{publisher}`"));
        }
        if signature.public_key != public_key {
            return Err(format!("the package is signed with a key that is not publisher `{publisher}`'s"));
        }
        verify_signature(public_key, &self.manifest_bytes, &signature.signature)
            .map_err(|e| format!("the manifest's signature does not verify ({e}): the manifest was altered"))?;
        self.verify_files()
    }

    /// Sign the manifest as it is now.
    pub fn sign(&mut self, publisher: &str, key: &SigningKey) {
        let signature = key.sign(&self.manifest_bytes);
        self.signature = Some(Signature {
            algorithm: "ed25519".into(),
            publisher: publisher.into(),
            public_key: B64.encode(key.verifying_key().as_bytes()),
            signature: B64.encode(signature.to_bytes()),
        });
    }

    /// Replace the manifest (e.g. to set its publisher), dropping any signature.
    pub fn set_manifest(&mut self, manifest: Manifest) -> anyhow::Result<()> {
        self.manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
        self.manifest = manifest;
        self.signature = None;
        Ok(())
    }

    /// The package's bytes: the same package always gives the same bytes.
    pub fn to_bytes(&self) -> anyhow::Result<Vec<u8>> {
        let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut builder = tar::Builder::new(encoder);
        builder.mode(tar::HeaderMode::Deterministic);
        let mut add = |path: &str, bytes: &[u8]| -> anyhow::Result<()> {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, path, bytes)?;
            Ok(())
        };
        add(MANIFEST_FILE, &self.manifest_bytes)?;
        if let Some(signature) = &self.signature {
            add(SIGNATURE_FILE, &serde_json::to_vec_pretty(signature)?)?;
        }
        for (path, bytes) in &self.files {
            add(path, bytes)?;
        }
        Ok(builder.into_inner()?.finish()?)
    }
}

fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.len() <= 200
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c))
}

pub fn verify_signature(public_key: &str, message: &[u8], signature: &str) -> Result<(), String> {
    let key: [u8; 32] = B64
        .decode(public_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or("the public key is not 32 bytes of base64")?;
    let key = VerifyingKey::from_bytes(&key).map_err(|e| e.to_string())?;
    let signature: [u8; 64] =
        B64.decode(signature).ok().and_then(|s| s.try_into().ok()).ok_or("the signature is not 64 bytes of base64")?;
    key.verify(message, &EdSignature::from_bytes(&signature)).map_err(|_| "bad signature".to_string())
}

/// A new signing key from the operating system's randomness.
pub fn new_signing_key() -> anyhow::Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

pub fn public_key_of(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::manifest::{Capabilities, FORMAT};

    fn package() -> Package {
        let manifest = Manifest {
            format: FORMAT,
            publisher: Some("acme".into()),
            name: "ping-tools".into(),
            version: "1.0.0".parse().unwrap(),
            title: "Ping tools".into(),
            description: String::new(),
            categories: vec![],
            min_scena: None,
            changelog: String::new(),
            readme: None,
            icon: None,
            flows: vec!["check".into()],
            plugins: vec![],
            capabilities: Capabilities::default(),
            files: BTreeMap::new(),
        };
        let files = BTreeMap::from([("flows/check.json".to_string(), b"{}".to_vec())]);
        Package::assemble(manifest, files).unwrap()
    }

    #[test]
    fn a_signed_package_round_trips_and_verifies() {
        let key = new_signing_key().unwrap();
        let mut package = package();
        package.sign("acme", &key);
        let bytes = package.to_bytes().unwrap();
        assert_eq!(bytes, package.to_bytes().unwrap(), "deterministic");
        let read = Package::read(&bytes).unwrap();
        assert_eq!(read.manifest, package.manifest);
        read.verify("acme", &public_key_of(&key)).unwrap();
        let other = public_key_of(&new_signing_key().unwrap());
        assert!(read.verify("acme", &other).unwrap_err().contains("not publisher `acme`'s"));
        assert!(read.verify("evil", &public_key_of(&key)).unwrap_err().contains("not signed by publisher `evil`"));
    }

    #[test]
    fn a_changed_file_or_manifest_is_named() {
        let key = new_signing_key().unwrap();
        let mut package = package();
        package.sign("acme", &key);
        let mut altered = package.clone();
        altered.files.insert("flows/check.json".into(), b"{ }".to_vec());
        assert!(
            altered.verify("acme", &public_key_of(&key)).unwrap_err().contains("`flows/check.json` does not match")
        );
        let mut altered = package.clone();
        altered.manifest_bytes[10] ^= 1;
        assert!(altered.verify("acme", &public_key_of(&key)).unwrap_err().contains("signature does not verify"));
        let mut altered = package;
        altered.files.insert("flows/extra.json".into(), b"{}".to_vec());
        assert!(altered.verify_files().unwrap_err().contains("not in the manifest"));
    }

    #[test]
    fn junk_and_escaping_paths_are_refused() {
        assert!(Package::read(b"not gzip").unwrap_err().contains("not a .scena-app"));
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b"] {
            assert!(!plain_path(bad), "{bad}");
        }
        assert!(plain_path("plugins/pinger-1.0.0.wasm"));
    }
}
