//! A minimal SMTP server on 127.0.0.1 for the `notify` atom's mail tests:
//! it speaks just enough of RFC 5321 for a client sending plain mail (EHLO,
//! MAIL, RCPT, DATA, QUIT) and keeps what it received. A recipient whose
//! address starts with `reject` is refused permanently (550).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                thread::spawn(move || session(stream, &kept));
            }
        });
        SmtpSink { port, mails }
    }
}

fn session(stream: TcpStream, mails: &Mutex<Vec<Mail>>) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut say = |line: &str| writer.write_all(format!("{line}\r\n").as_bytes());
    let _ = say("220 sink ESMTP");
    let mut mail = Mail::default();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        let command = line.trim_end().to_string();
        line.clear();
        let upper = command.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250 sink".to_string()
        } else if let Some(from) = upper.strip_prefix("MAIL FROM:").map(|_| &command[10..]) {
            mail = Mail { from: from.trim().to_string(), ..Mail::default() };
            "250 ok".into()
        } else if upper.starts_with("RCPT TO:") {
            let to = command[8..].trim().trim_matches(['<', '>']).to_string();
            if to.starts_with("reject") {
                "550 no such mailbox".into()
            } else {
                mail.to.push(to);
                "250 ok".into()
            }
        } else if upper == "DATA" {
            let _ = say("354 go on");
            let mut data = String::new();
            loop {
                let mut part = String::new();
                if reader.read_line(&mut part).unwrap_or(0) == 0 || part == ".\r\n" {
                    break;
                }
                data.push_str(&part);
            }
            mail.data = data;
            mails.lock().unwrap().push(std::mem::take(&mut mail));
            "250 queued".into()
        } else if upper == "QUIT" {
            let _ = say("221 bye");
            return;
        } else if upper == "RSET" || upper == "NOOP" {
            "250 ok".into()
        } else {
            "502 not here".into()
        };
        if say(&answer).is_err() {
            return;
        }
    }
}
