//! SQLite's single writer with group commit: it takes the writes waiting at
//! that moment, runs each inside its own savepoint of one `BEGIN IMMEDIATE`
//! transaction, commits once, and only then answers each caller. A write
//! that fails rolls back to its savepoint without touching its neighbours.

use futures_util::future::BoxFuture;
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::sqlite::{SqliteOperation, UpdateHookResult};

use super::{Signals, StoreError};

/// What the writer tells others after a commit.
struct Committed {
    /// Set by the connection's update hook when a write queued an outbox row.
    queued: Arc<AtomicBool>,
    signals: Arc<Signals>,
}

/// Most writes committed together.
const MAX_BATCH: usize = 256;

/// A write waiting for the writer task.
trait WriteJob: Send {
    /// Runs the write; true when it succeeded (its savepoint is kept).
    fn run<'a>(&'a mut self, conn: &'a mut SqliteConnection) -> BoxFuture<'a, bool>;
    /// Answers the caller once the batch's fate is known.
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
}

pub type WriteFn<T> = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T, StoreError>> + Send,
>;

struct TypedJob<T> {
    work: Option<WriteFn<T>>,
    /// The request the write serves, for what it queues.
    request_id: Option<String>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T: Send + 'static> WriteJob for TypedJob<T> {
    fn run<'a>(&'a mut self, conn: &'a mut SqliteConnection) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let Some(work) = self.work.take() else {
                return false;
            };
            let result = match self.request_id.take() {
                Some(id) => crate::metrics::REQUEST_ID.scope(id, work(conn)).await,
                None => work(conn).await,
            };
            let ok = result.is_ok();
            self.result = Some(result);
            ok
        })
    }

    fn finish(self: Box<Self>, commit: Result<(), StoreError>) {
        let outcome = match (commit, self.result) {
            (_, Some(Err(e))) => Err(e),
            (Err(e), _) => Err(e),
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Ok(()), None) => Err(StoreError::Unavailable("the write did not run".into())),
        };
        // The caller may have gone (its request timed out); the write stands.
        let _ = self.reply.send(outcome);
    }
}

enum Message {
    Write(Box<dyn WriteJob>),
    Close(oneshot::Sender<()>),
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Message::Write(_) => "Write",
            Message::Close(_) => "Close",
        })
    }
}

/// The handle callers queue writes on.
#[derive(Debug, Clone)]
pub struct Writer {
    inbox: mpsc::Sender<Message>,
}

impl Writer {
    /// Starts the writer task on `conn`. A batch that committed new
    /// outbox rows notifies `signals.outbox`, so the delivery worker starts
    /// at once rather than at its next poll.
    pub async fn spawn(
        mut conn: SqliteConnection,
        signals: Arc<Signals>,
    ) -> Result<Writer, StoreError> {
        let queued = Arc::new(AtomicBool::new(false));
        let flag = queued.clone();
        conn.lock_handle()
            .await?
            .set_update_hook(move |change: UpdateHookResult<'_>| {
                if change.table == "outbox" && matches!(change.operation, SqliteOperation::Insert) {
                    flag.store(true, Ordering::Relaxed);
                }
            });
        let (inbox, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(conn, rx, Committed { queued, signals }));
        Ok(Writer { inbox })
    }

    /// Queues a write and waits until it is committed (or refused).
    pub async fn write<T: Send + 'static>(&self, work: WriteFn<T>) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = TypedJob {
            work: Some(work),
            request_id: crate::metrics::current_request_id(),
            result: None,
            reply,
        };
        self.inbox
            .send(Message::Write(Box::new(job)))
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Unavailable("the writer stopped during the write".into()))?
    }

    /// Finishes the writes queued so far and closes the connection.
    pub async fn close(&self) {
        let (done, finished) = oneshot::channel();
        if self.inbox.send(Message::Close(done)).await.is_ok() {
            let _ = finished.await;
        }
    }
}

async fn writer(
    mut conn: SqliteConnection,
    mut inbox: mpsc::Receiver<Message>,
    committed: Committed,
) {
    let mut closing = None;
    while closing.is_none() {
        let Some(first) = inbox.recv().await else {
            break;
        };
        let mut batch = Vec::new();
        match first {
            Message::Write(job) => batch.push(job),
            Message::Close(done) => closing = Some(done),
        }
        while closing.is_none() && batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(Message::Write(job)) => batch.push(job),
                Ok(Message::Close(done)) => closing = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let stored = commit_batch(&mut conn, batch).await;
            // A rolled-back savepoint may have set the flag: a spurious
            // wake-up costs one look at the outbox.
            if committed.queued.swap(false, Ordering::Relaxed) && stored {
                committed.signals.outbox.notify_one();
            }
        }
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the SQLite writer");
    }
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

async fn exec(conn: &mut SqliteConnection, statement: &'static str) -> Result<(), StoreError> {
    sqlx::query(statement)
        .execute(conn)
        .await
        .map(drop)
        .map_err(StoreError::from)
}

/// Runs and commits one batch; true when the commit succeeded.
async fn commit_batch(conn: &mut SqliteConnection, mut batch: Vec<Box<dyn WriteJob>>) -> bool {
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE").await {
        tracing::error!(error = %e, writes = batch.len(), "SQLite refused to begin a write");
        for job in batch {
            job.finish(Err(e.clone()));
        }
        return false;
    }
    let mut broken = None;
    for job in &mut batch {
        if let Err(e) = exec(conn, "SAVEPOINT job").await {
            broken = Some(e);
            break;
        }
        let ok = job.run(conn).await;
        let end = if ok {
            exec(conn, "RELEASE job").await
        } else {
            match exec(conn, "ROLLBACK TO job").await {
                Ok(()) => exec(conn, "RELEASE job").await,
                Err(e) => Err(e),
            }
        };
        if let Err(e) = end {
            broken = Some(e);
            break;
        }
    }
    let outcome = match broken {
        Some(e) => Err(e),
        None => exec(conn, "COMMIT").await,
    };
    if let Err(e) = &outcome {
        tracing::error!(error = %e, writes = batch.len(), "a SQLite write batch failed; rolling back");
        let _ = exec(conn, "ROLLBACK").await;
    }
    let stored = outcome.is_ok();
    for job in batch {
        job.finish(outcome.clone());
    }
    stored
}
