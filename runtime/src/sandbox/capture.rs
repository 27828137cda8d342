//! Bounded capture of a guest's stdout/stderr: keeps the first `capacity`
//! bytes, counts and drops the rest, and never fails the guest's write.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

#[derive(Debug, Clone)]
pub struct BoundedCapture {
    inner: Arc<Mutex<Captured>>,
}

#[derive(Debug)]
struct Captured {
    capacity: usize,
    kept: Vec<u8>,
    dropped: usize,
}

impl BoundedCapture {
    pub fn new(capacity: usize) -> Self {
        let captured = Captured { capacity, kept: Vec::new(), dropped: 0 };
        BoundedCapture { inner: Arc::new(Mutex::new(captured)) }
    }

    /// The kept text, and how many bytes were dropped after it.
    pub fn take(&self) -> (String, usize) {
        let mut captured = self.inner.lock().expect("capture lock");
        let text = String::from_utf8_lossy(&std::mem::take(&mut captured.kept)).into_owned();
        (text, captured.dropped)
    }

    fn write(&self, bytes: &[u8]) {
        let mut captured = self.inner.lock().expect("capture lock");
        let room = captured.capacity.saturating_sub(captured.kept.len());
        let keep = room.min(bytes.len());
        captured.kept.extend_from_slice(&bytes[..keep]);
        captured.dropped += bytes.len() - keep;
    }
}

impl IsTerminal for BoundedCapture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for BoundedCapture {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for BoundedCapture {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_head_and_counts_the_rest() {
        let capture = BoundedCapture::new(5);
        capture.write(b"abc");
        capture.write(b"defgh");
        assert_eq!(capture.take(), ("abcde".to_string(), 3));
    }
}
