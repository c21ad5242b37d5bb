//! A TCP proxy that drops connections: between a client and the service it
//! forwards everything, counts the bytes the client sends, and once armed
//! breaks the connection carrying the byte that crosses each of its marks,
//! as a phone's mobile data does: either it resets the connection, or the
//! network goes silent (nothing more arrives, nothing comes back) and the
//! client has to notice. What it counts is what went over the wire.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

/// How a connection breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Break {
    /// Closed at once: the client gets an error.
    Reset,
    /// Silence: the service is told the client left; the client hears
    /// nothing until it gives up itself.
    Stall,
}

#[derive(Clone)]
pub struct Cutter {
    pub url: String,
    /// Client bytes since it was armed.
    pub sent: Arc<AtomicU64>,
    /// Connections cut so far.
    pub cuts: Arc<AtomicUsize>,
    marks: Arc<Mutex<Option<Vec<u64>>>>,
    how: Arc<Mutex<Break>>,
}

impl Cutter {
    pub async fn start(upstream: std::net::SocketAddr) -> Cutter {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let cutter = Cutter {
            url,
            sent: Arc::new(AtomicU64::new(0)),
            cuts: Arc::new(AtomicUsize::new(0)),
            marks: Arc::new(Mutex::new(None)),
            how: Arc::new(Mutex::new(Break::Reset)),
        };
        let c = cutter.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                tokio::spawn(pump(c.clone(), client, server));
            }
        });
        cutter
    }

    /// From now on, counts the client's bytes and cuts at each mark (bytes
    /// counted from now).
    pub async fn arm(&self, marks: Vec<u64>, how: Break) {
        self.sent.store(0, Ordering::SeqCst);
        *self.how.lock().await = how;
        *self.marks.lock().await = Some(marks);
    }
}

async fn pump(c: Cutter, client: TcpStream, server: TcpStream) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let silent = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hush = silent.clone();
    let down = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => 0,
                Ok(n) => n,
            };
            if hush.load(Ordering::SeqCst) {
                // Silence: the client's connection stays open, and quiet.
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                return;
            }
            if n == 0 || client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match client_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut take = n;
        let mut cut = false;
        {
            let mut marks = c.marks.lock().await;
            if let Some(marks) = marks.as_mut() {
                let before = c.sent.load(Ordering::SeqCst);
                if let Some(&mark) = marks.first()
                    && before + n as u64 >= mark
                {
                    take = usize::try_from(mark.saturating_sub(before))
                        .unwrap_or(n)
                        .min(n);
                    marks.remove(0);
                    cut = true;
                }
                c.sent.fetch_add(take as u64, Ordering::SeqCst);
            }
        }
        if server_write.write_all(&buf[..take]).await.is_err() {
            break;
        }
        if cut {
            c.cuts.fetch_add(1, Ordering::SeqCst);
            let _ = server_write.flush().await;
            if *c.how.lock().await == Break::Stall {
                // The service sees the client go; the client sees nothing:
                // no answer, and nothing it sends is read any more.
                silent.store(true, Ordering::SeqCst);
                drop(server_write);
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                return;
            }
            break;
        }
    }
    // Both directions end: the client sees the connection drop.
    drop(server_write);
    down.abort();
}
