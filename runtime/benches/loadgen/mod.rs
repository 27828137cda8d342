//! The HTTP benchmark's load generator: one keep-alive HTTP/1.1 connection
//! per client, a request written as prepared bytes, the response read into a
//! reused buffer. A general-purpose client (header maps, connection pool,
//! body streams) cost as much CPU per request as the server's own HTTP layer,
//! and it shares the server's two cores.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A `POST` with a JSON body and a bearer token, as bytes on the wire.
pub fn post(address: SocketAddr, path: &str, token: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

/// A response: its status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Connection {
    pub async fn open(address: SocketAddr) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buffer: Vec::with_capacity(16 << 10) })
    }

    /// Send `request` and read its response (`content-length` or chunked).
    pub async fn send(&mut self, request: &[u8]) -> std::io::Result<Response> {
        self.stream.write_all(request).await?;
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            self.fill().await?;
        };
        let head = std::str::from_utf8(&self.buffer[..head_end]).map_err(invalid)?.to_ascii_lowercase();
        let status = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| invalid("no status line"))?;
        let length =
            head.lines().find_map(|line| line.strip_prefix("content-length:")).map(|n| n.trim().parse::<usize>());
        self.buffer.drain(..head_end);
        let body = match length {
            Some(length) => {
                let length = length.map_err(invalid)?;
                while self.buffer.len() < length {
                    self.fill().await?;
                }
                self.buffer.drain(..length).collect()
            }
            None if head.contains("transfer-encoding: chunked") => self.chunked().await?,
            None => return Err(invalid("a response without a length")),
        };
        Ok(Response { status, body })
    }

    async fn chunked(&mut self) -> std::io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(at) = find(&self.buffer, b"\r\n") {
                    break at;
                }
                self.fill().await?;
            };
            let size = std::str::from_utf8(&self.buffer[..line_end]).map_err(invalid)?;
            let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).map_err(invalid)?;
            // The chunk and the CRLF after it (after the last, empty one: no trailers are sent).
            while self.buffer.len() < line_end + 2 + size + 2 {
                self.fill().await?;
            }
            body.extend_from_slice(&self.buffer[line_end + 2..line_end + 2 + size]);
            self.buffer.drain(..line_end + 2 + size + 2);
            if size == 0 {
                return Ok(body);
            }
        }
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        self.buffer.reserve(16 << 10);
        if self.stream.read_buf(&mut self.buffer).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn invalid(error: impl ToString) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, error.to_string())
}
