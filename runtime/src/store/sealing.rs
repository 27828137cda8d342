//! Sealing secrets at rest: XChaCha20-Poly1305 with a random 192-bit nonce
//! per value, and the tenant and secret name as associated data — so a sealed
//! value copied to another row (another tenant, another name) does not open.
//! The 32-byte key never enters the database: it comes from
//! `SCENA_SECRET_KEY` (64 hex digits) or from `secret.key` in the data
//! directory, made on first start with mode 0600.

use std::path::Path;

use anyhow::{Context as _, bail};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};

pub const SECRET_KEY_ENV: &str = "SCENA_SECRET_KEY";
const KEY_FILE: &str = "secret.key";

pub struct SealingKey {
    cipher: XChaCha20Poly1305,
}

// Never print the key.
impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

/// A sealed value as stored: nonce and ciphertext (with its tag), hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: String,
    pub ciphertext: String,
}

fn associated_data(tenant: &str, name: &str) -> Vec<u8> {
    format!("scena-secret\0{tenant}\0{name}").into_bytes()
}

impl SealingKey {
    pub fn from_hex(text: &str) -> anyhow::Result<SealingKey> {
        let bytes = hex::decode(text.trim()).context("the secret key must be 64 hex digits")?;
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!("the secret key must be 32 bytes (64 hex digits), got {}", bytes.len());
        };
        Ok(SealingKey { cipher: XChaCha20Poly1305::new(&Key::from(key)) })
    }

    /// The key from `SCENA_SECRET_KEY`, else `DATA_DIR/secret.key` (made if missing).
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<SealingKey> {
        if let Some(text) = std::env::var(SECRET_KEY_ENV).ok().filter(|t| !t.trim().is_empty()) {
            return SealingKey::from_hex(&text).with_context(|| format!("in {SECRET_KEY_ENV}"));
        }
        let path = data_dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => SealingKey::from_hex(&text).with_context(|| format!("in {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for a secret key: {e}"))?;
                write_private(&path, &hex::encode(key))?;
                SealingKey::from_hex(&hex::encode(key))
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn seal(&self, tenant: &str, name: &str, value: &[u8]) -> anyhow::Result<Sealed> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness for a nonce: {e}"))?;
        let aad = associated_data(tenant, name);
        let ciphertext = self
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: value, aad: &aad })
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        Ok(Sealed { nonce: hex::encode(nonce), ciphertext: hex::encode(ciphertext) })
    }

    /// The value, or an error if the key, the row or the bytes are not the ones it was sealed with.
    pub fn open(&self, tenant: &str, name: &str, sealed: &Sealed) -> anyhow::Result<Vec<u8>> {
        let nonce = hex::decode(&sealed.nonce)
            .ok()
            .and_then(|n| <[u8; 24]>::try_from(n.as_slice()).ok())
            .context("malformed nonce")?;
        let ciphertext = hex::decode(&sealed.ciphertext).context("malformed ciphertext")?;
        let aad = associated_data(tenant, name);
        self.cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: &ciphertext, aad: &aad })
            .map_err(|_| anyhow::anyhow!("secret `{name}` of tenant `{tenant}` does not open with this key"))
    }
}

/// Make sure `key` is the key this database's secrets were sealed with: a
/// value sealed with the first key that used the database must open with it.
/// What keeps a node of a cluster started with another key (or a server whose
/// key file was lost) from running with secrets it cannot open.
pub(super) async fn check_key(pool: &sqlx::AnyPool, key: &SealingKey) -> anyhow::Result<()> {
    const CHECK: &str = "sealing-check";
    // The first key to get here leaves its value; every key is then tried on it.
    let mine = key.seal("", CHECK, b"scena")?;
    sqlx::query("INSERT INTO sealing_check (id, nonce, ciphertext) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(&mine.nonce)
        .bind(&mine.ciphertext)
        .execute(pool)
        .await?;
    let (nonce, ciphertext): (String, String) =
        sqlx::query_as("SELECT nonce, ciphertext FROM sealing_check WHERE id = 1").fetch_one(pool).await?;
    key.open("", CHECK, &Sealed { nonce, ciphertext }).map(|_| ()).map_err(|_| {
        anyhow::anyhow!(
            "the sealing key does not open this database's secrets: every node must use the key the database \
             was first used with ({SECRET_KEY_ENV}, or secret.key in the data dir)"
        )
    })
}

/// Write `text` to a new file readable by its owner only.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SealingKey {
        SealingKey::from_hex(&hex::encode([byte; 32])).unwrap()
    }

    #[test]
    fn a_value_opens_only_with_its_key_tenant_and_name() {
        let sealed = key(1).seal("acme", "DB_PASSWORD", b"hunter2").unwrap();
        assert!(!sealed.ciphertext.contains(&hex::encode("hunter2")));
        assert_eq!(key(1).open("acme", "DB_PASSWORD", &sealed).unwrap(), b"hunter2");
        assert!(key(2).open("acme", "DB_PASSWORD", &sealed).is_err(), "another key");
        assert!(key(1).open("other", "DB_PASSWORD", &sealed).is_err(), "moved to another tenant");
        assert!(key(1).open("acme", "API_TOKEN", &sealed).is_err(), "moved to another name");
        let mut tampered = sealed.clone();
        tampered.ciphertext.replace_range(0..2, if &sealed.ciphertext[0..2] == "00" { "01" } else { "00" });
        assert!(key(1).open("acme", "DB_PASSWORD", &tampered).is_err(), "tampered");
    }

    #[test]
    fn each_sealing_uses_a_new_nonce() {
        let (a, b) = (key(1).seal("t", "n", b"v").unwrap(), key(1).seal("t", "n", b"v").unwrap());
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn keys_must_be_32_bytes_of_hex() {
        assert!(SealingKey::from_hex("abcd").is_err());
        assert!(SealingKey::from_hex(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn a_key_file_is_made_once_and_kept_private() {
        let dir = std::env::temp_dir().join(format!("scena-key-{}", uuid::Uuid::new_v4()));
        let first = SealingKey::load_or_create(&dir).unwrap();
        let sealed = first.seal("t", "n", b"v").unwrap();
        let again = SealingKey::load_or_create(&dir).unwrap();
        assert_eq!(again.open("t", "n", &sealed).unwrap(), b"v", "the same key is read back");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "nobody but the owner reads the key");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
