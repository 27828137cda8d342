//! Mail channels over SMTP (lettre). The server's name is resolved here and
//! each address checked against the tenant's `http` grant as the `http` atom
//! checks it; lettre then connects to the admitted address, with the name
//! kept for TLS. Transient SMTP answers (4xx, a dropped connection) are
//! failures worth retrying; permanent ones (5xx) are not.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message as Mail, Tokio1Executor};

use super::channel::default_port;
use super::{Channel, SmtpSecurity};
use crate::atoms::AtomCall;
use crate::bindings::scena::plugin::notify::Message;
use crate::bindings::wit::AtomError;

pub async fn send(call: &AtomCall, channel: &Channel, message: &Message) -> Result<(), AtomError> {
    let Channel::Email { host, port, security, username, password, from } = channel else {
        unreachable!("called for mail channels only");
    };
    let name = &message.channel;
    let port = port.unwrap_or(default_port(*security));
    let address = admitted_address(call, host, port)
        .await
        .map_err(|why| AtomError::Denied(format!("channel `{name}`: {why}")))?;

    let invalid = |what: String| AtomError::Invalid(format!("channel `{name}`: {what}"));
    let from: Mailbox = from.parse().map_err(|e| invalid(format!("from `{from}`: {e}")))?;
    let mut mail = Mail::builder()
        .from(from)
        .subject(&message.subject)
        .message_id(Some(format!("<{}@scena>", call.idempotency_key.replace(['<', '>', '@', ' '], "-"))))
        .header(ContentType::TEXT_PLAIN);
    if message.to.is_empty() {
        return Err(invalid("a mail needs at least one recipient in `to`".into()));
    }
    for to in &message.to {
        mail = mail.to(to.parse().map_err(|e| invalid(format!("recipient `{to}`: {e}")))?);
    }
    let mail = mail.body(message.body.clone()).map_err(|e| invalid(e.to_string()))?;

    let tls = || TlsParameters::new(host.clone()).map_err(|e| invalid(format!("TLS for `{host}`: {e}")));
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(address.ip().to_string())
        .port(port)
        .timeout(Some(Duration::from_secs(15)));
    transport = match security {
        SmtpSecurity::Tls => transport.tls(Tls::Wrapper(tls()?)),
        SmtpSecurity::Starttls => transport.tls(Tls::Required(tls()?)),
        SmtpSecurity::None => transport.tls(Tls::None),
    };
    if let (Some(user), Some(pass)) = (username, password) {
        transport = transport.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    match transport.build().send(mail).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(AtomError::Invalid(format!("channel `{name}`: the server refused: {e}"))),
        Err(e) => Err(AtomError::Failed(format!("channel `{name}`: {e}"))),
    }
}

/// The first address of `host` the tenant's grant admits.
async fn admitted_address(call: &AtomCall, host: &str, port: u16) -> Result<std::net::SocketAddr, String> {
    let allow = &call.grants.http;
    let parsed = url::Host::parse(host).map_err(|e| format!("`{host}`: {e}"))?;
    allow.admits(&parsed)?;
    let addresses: Vec<_> =
        tokio::net::lookup_host((host, port)).await.map_err(|e| format!("`{host}` does not resolve: {e}"))?.collect();
    let is_name = matches!(parsed, url::Host::Domain(_));
    let mut last = format!("`{host}` has no address");
    for address in addresses {
        match allow.admits_address(is_name.then_some(host), address.ip()) {
            Ok(()) => return Ok(address),
            Err(why) => last = why,
        }
    }
    Err(last)
}
