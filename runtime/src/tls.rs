//! The one TLS crypto provider of the process: rustls's `ring`.
//!
//! reqwest is built without a provider of its own (its default would be
//! aws-lc, a C library whose build costs more than the rest of the TLS
//! stack), and then refuses to build a client until one is installed. Every
//! HTTP client of scena — the `http` atom's, agents', the registry client's —
//! is made after [`install_crypto_provider`]: `scena`'s `main` calls it first,
//! and [`client_builder`] and [`client`] call it for code that builds clients
//! outside the command line (tests, benchmarks).

/// Install `ring` as the process's rustls provider; later calls do nothing.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Only fails when a provider is already installed, which is all this asks.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// `reqwest::Client::builder()`, with the crypto provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}

/// `reqwest::Client::new()`, with the crypto provider installed.
pub fn client() -> reqwest::Client {
    client_builder().build().expect("an HTTP client with the default settings builds once TLS has a provider")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_can_be_built_once_the_provider_is_installed() {
        let client = super::client_builder().build();
        assert!(client.is_ok(), "{client:?}");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
