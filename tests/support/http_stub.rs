//! A tiny HTTP/1.1 server on a loopback port, standing in for the cloud
//! endpoints the IAM tests cannot reach: the EC2 metadata service, STS,
//! Azure's managed identity endpoint, Google's metadata server and IAM
//! credentials API. Each request goes to a handler; every request is kept
//! for checks.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

/// A request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `PUT`, `POST`…
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl Request {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer: status, content type and body.
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: String,
    /// More headers.
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    /// 200 with JSON.
    pub fn json(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            content_type: "application/json",
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// 200 with text.
    pub fn text(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            content_type: "text/plain",
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// 200 with XML.
    pub fn xml(body: impl Into<String>) -> Response {
        Response {
            status: 200,
            content_type: "text/xml",
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// The same, with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// 404.
    pub fn not_found() -> Response {
        Response {
            status: 404,
            content_type: "text/plain",
            body: "not found".into(),
            headers: Vec::new(),
        }
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// The running stub; it stops answering when dropped (its port closes when
/// the process ends).
pub struct HttpStub {
    port: u16,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl HttpStub {
    /// Starts a stub answering with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> HttpStub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the HTTP stub");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = handler.clone();
                let log = log.clone();
                thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        HttpStub { port, seen }
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `127.0.0.1:port`.
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request {
            method: method.to_owned(),
            target: target.to_owned(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let response = handler(&request);
        log.lock().unwrap().push(request);
        let reason = if response.status == 200 {
            "OK"
        } else {
            "Error"
        };
        let extra: String = response
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        let text = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra}\r\n{}",
            response.status,
            response.content_type,
            response.body.len(),
            response.body
        );
        let mut w = &stream;
        if w.write_all(text.as_bytes()).is_err() {
            return;
        }
    }
}
