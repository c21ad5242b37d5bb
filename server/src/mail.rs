//! E-mail over SMTP, through the outbox.
//!
//! Reporters who left an address hear of their receipt, of each public
//! reply and of each change of state, in their language, with their
//! tracking code and a link to the hosted tracker. Officers hear of a
//! complaint that arrives in their region (coordinators) or is dispatched
//! to their unit (unit officers), and of due dates about to pass. With no
//! SMTP host configured, e-mail is off: nothing is queued, and the console
//! says so.

use std::time::Duration;

use aduan_app::api::{Locale, Status};
use aduan_app::labels;
use aduan_app::words::Word;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::config::{Config, SmtpSecurity};

/// What the store needs to write e-mails: present only when e-mail is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailContext {
    /// Where the hosted tracker lives, for links.
    pub public_url: String,
}

impl MailContext {
    /// The context for a configuration, or `None` when e-mail is off.
    pub fn of(config: &Config) -> Option<MailContext> {
        config
            .smtp_host
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(|_| MailContext {
                public_url: config.public_url.trim_end_matches('/').to_owned(),
            })
    }
}

/// One e-mail, as kept in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

fn tracker_link(ctx: &MailContext, region: &str, code: &str, locale: Locale) -> String {
    format!(
        "{}/r/{region}/track?code={code}&lang={}",
        ctx.public_url,
        locale.key()
    )
}

/// The reporter's e-mail about one event, or `None` for what the reporter
/// need not hear: an internal note, what they did themselves (but for the
/// receipt of their complaint), an event with nothing public in it.
#[allow(clippy::too_many_arguments)]
pub fn for_reporter(
    ctx: &MailContext,
    to: &str,
    locale: Locale,
    region: &str,
    code: &str,
    author: &str,
    kind: &str,
    from: Option<&str>,
    to_status: &str,
    message: Option<&str>,
) -> Option<Mail> {
    crate::outbound::event_type(kind, from, to_status, message)?;
    if author == "reporter" && kind != "submitted" {
        return None;
    }
    let status = Status::from_key(to_status).map_or(to_status, |s| labels::status(s, locale));
    let (subject, opening) = if kind == "submitted" {
        (
            Word::MailReceivedSubject.fill(locale, &[("code", code)]),
            Word::MailReceivedOpening.text(locale).to_owned(),
        )
    } else if from.is_some() {
        (
            Word::MailStatusSubject.fill(locale, &[("code", code), ("status", status)]),
            Word::MailStatusOpening.fill(locale, &[("status", status)]),
        )
    } else {
        (
            Word::MailReplySubject.fill(locale, &[("code", code)]),
            Word::MailReplyOpening.text(locale).to_owned(),
        )
    };
    let link = tracker_link(ctx, region, code, locale);
    let reply = message
        .map(|m| format!("{}\n{m}\n\n", Word::MailOfficerReply.text(locale)))
        .unwrap_or_default();
    let body = format!(
        "{opening}\n\n{reply}{}\n{}\n{link}\n\n{}\n",
        Word::MailTrackingCode.fill(locale, &[("code", code)]),
        Word::MailSeeAt.text(locale),
        Word::MailAutomatic.text(locale),
    );
    Some(Mail {
        to: to.to_owned(),
        subject,
        body,
    })
}

/// What a supporter hears of one event of a complaint they joined.
#[derive(Debug, Clone, Copy)]
pub struct SupporterNews<'a> {
    pub region: &'a str,
    /// The complaint's title, when the disclosure policy lets it through.
    pub title: Option<&'a str>,
    pub author: &'a str,
    pub kind: &'a str,
    pub from: Option<&'a str>,
    pub to_status: &'a str,
    /// An officer's public reply, when the policy lets it through.
    pub message: Option<&'a str>,
}

/// A supporter's e-mail about one event, or `None` for what they need not
/// hear: anything but a change of state or an officer's public reply. It
/// never carries the tracking code (they are not the reporter), and it
/// ends with the link that stops these e-mails.
pub fn for_supporter(
    ctx: &MailContext,
    to: &str,
    locale: Locale,
    leave_token: &str,
    news: &SupporterNews<'_>,
) -> Option<Mail> {
    crate::outbound::event_type(news.kind, news.from, news.to_status, news.message)?;
    if news.author == "reporter" || news.kind == "submitted" {
        return None;
    }
    let status =
        Status::from_key(news.to_status).map_or(news.to_status, |s| labels::status(s, locale));
    let (subject, opening) = if news.from.is_some_and(|f| f != news.to_status) {
        (
            Word::MailSupporterSubject.fill(locale, &[("status", status)]),
            Word::MailSupporterOpening.fill(locale, &[("status", status)]),
        )
    } else {
        (
            Word::MailSupporterReplySubject.text(locale).to_owned(),
            Word::MailSupporterReplyOpening.text(locale).to_owned(),
        )
    };
    let title = news.title.map(|t| format!("{t}\n\n")).unwrap_or_default();
    let reply = news
        .message
        .map(|m| format!("{}\n{m}\n\n", Word::MailOfficerReply.text(locale)))
        .unwrap_or_default();
    let leave = format!(
        "{}/r/{}/leave?token={leave_token}&lang={}",
        ctx.public_url,
        news.region,
        locale.key()
    );
    let body = format!(
        "{opening}\n{title}{reply}{}\n{leave}\n\n{}\n",
        Word::MailSupporterLeave.text(locale),
        Word::MailAutomatic.text(locale),
    );
    Some(Mail {
        to: to.to_owned(),
        subject,
        body,
    })
}

/// The e-mail that asks a citizen who joined a complaint to confirm their
/// address (`title` when the disclosure policy lets it through). Like the
/// supporter's other e-mails it never carries the tracking code.
pub fn for_new_supporter(
    ctx: &MailContext,
    to: &str,
    locale: Locale,
    region: &str,
    title: Option<&str>,
    confirm_token: &str,
) -> Mail {
    let link = format!(
        "{}/r/{region}/join?token={confirm_token}&lang={}",
        ctx.public_url,
        locale.key()
    );
    let title = title.map(|t| format!("{t}\n\n")).unwrap_or_default();
    Mail {
        to: to.to_owned(),
        subject: Word::MailSupporterConfirmSubject.text(locale).to_owned(),
        body: format!(
            "{}\n\n{title}{link}\n\n{}\n\n{}\n",
            Word::MailSupporterConfirmOpening.text(locale),
            Word::MailSupporterConfirmIgnore.text(locale),
            Word::MailAutomatic.text(locale),
        ),
    }
}

/// An officer's e-mail about a complaint that needs them.
/// The outbox's event type of a mail to the reporter.
pub const TO_REPORTER: &str = "email.reporter";
/// The outbox's event type of a mail to a supporter of a complaint.
pub const TO_SUPPORTER: &str = "email.supporter";
/// The outbox's event type of a mail to an officer.
pub const TO_OFFICER: &str = "email.officer";

/// Why an officer hears of a complaint given to them.
pub const ASSIGNED: &str = "Ditugaskan kepada Anda / assigned to you";

/// What an officer's e-mail says in place of a title the disclosure
/// rules keep in the console.
pub const TITLE_WITHHELD: &str =
    "(judul rahasia, lihat konsol / confidential title, see the console)";

/// A notice to an officer; `title` is what the disclosure rules let an
/// officer's mailbox carry (empty when they keep it in the console).
pub fn for_officer(ctx: &MailContext, to: &str, code: &str, title: &str, why: &str) -> Mail {
    let title = if title.is_empty() {
        TITLE_WITHHELD
    } else {
        title
    };
    Mail {
        to: to.to_owned(),
        subject: format!("[Aduan] {why}: {code}"),
        body: format!(
            "{why}.\n\n{title}\nKode / code: {code}\n\nBuka di konsol / open in the console:\n{}/console/complaints/{code}\n",
            ctx.public_url
        ),
    }
}

/// Sends e-mails over SMTP.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer for a configuration; `Ok(None)` when e-mail is off.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, String> {
        let Some(host) = config.smtp_host.as_deref().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let from: Mailbox = config.smtp_from.parse().map_err(|e| {
            format!(
                "ADUAN_SMTP_FROM `{}` is not an address: {e}",
                config.smtp_from
            )
        })?;
        let mut builder = match config.smtp_security {
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?
            }
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| e.to_string())?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        builder = builder
            .port(config.smtp_port)
            .timeout(Some(Duration::from_secs(
                config.delivery_timeout_secs.max(1),
            )));
        if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
        }))
    }

    /// Sends one e-mail; an error is a sentence without credentials.
    pub async fn send(&self, mail: &Mail) -> Result<(), String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| "the recipient's address is not valid".to_owned())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("cannot build the e-mail: {e}"))?;
        self.transport.send(message).await.map(drop).map_err(|e| {
            if e.is_permanent() {
                format!(
                    "the SMTP server refused the e-mail ({})",
                    e.status()
                        .map_or_else(|| "no code".to_owned(), |c| c.to_string())
                )
            } else if e.is_transient() {
                format!(
                    "the SMTP server deferred the e-mail ({})",
                    e.status()
                        .map_or_else(|| "no code".to_owned(), |c| c.to_string())
                )
            } else {
                "the SMTP server could not be reached".to_owned()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> MailContext {
        MailContext {
            public_url: "https://aduan.baliprov.go.id".into(),
        }
    }

    #[test]
    fn an_officer_is_told_the_code_and_the_title_or_that_it_is_withheld() {
        let mail = for_officer(&ctx(), "o@example.id", "BDG-1", "Lubang besar", ASSIGNED);
        assert_eq!(mail.subject, format!("[Aduan] {ASSIGNED}: BDG-1"));
        assert!(
            mail.body.contains("\n\nLubang besar\nKode / code: BDG-1\n"),
            "{}",
            mail.body
        );
        assert!(
            mail.body
                .ends_with("https://aduan.baliprov.go.id/console/complaints/BDG-1\n")
        );
        let withheld = for_officer(&ctx(), "o@example.id", "BDG-1", "", ASSIGNED);
        assert!(
            withheld
                .body
                .contains(&format!("\n\n{TITLE_WITHHELD}\nKode / code: BDG-1\n")),
            "{}",
            withheld.body
        );
    }

    #[test]
    fn a_reporter_hears_in_their_language_with_the_code_and_link() {
        let mail = for_reporter(
            &ctx(),
            "w@example.id",
            Locale::Id,
            "badung",
            "BDG-1",
            "officer",
            "resolved",
            Some("in_progress"),
            "resolved",
            Some("Sudah ditambal."),
        );
        let mail = mail.unwrap_or_else(|| unreachable!());
        assert!(mail.subject.contains("BDG-1"));
        assert!(
            mail.body.contains("Sudah ditambal.")
                && mail
                    .body
                    .contains("https://aduan.baliprov.go.id/r/badung/track?code=BDG-1&lang=id")
        );
        let en = for_reporter(
            &ctx(),
            "w@example.id",
            Locale::En,
            "badung",
            "BDG-1",
            "reporter",
            "submitted",
            None,
            "submitted",
            None,
        );
        assert!(en.is_some_and(|m| m.subject.starts_with("Your complaint was received")));
        assert!(
            for_reporter(
                &ctx(),
                "w@example.id",
                Locale::En,
                "badung",
                "BDG-1",
                "officer",
                "note",
                None,
                "verified",
                None
            )
            .is_none()
        );
        // Their own reply is not sent back to them; an officer's is.
        assert!(
            for_reporter(
                &ctx(),
                "w@example.id",
                Locale::En,
                "badung",
                "BDG-1",
                "reporter",
                "reply",
                None,
                "verified",
                Some("x")
            )
            .is_none()
        );
        assert!(
            for_reporter(
                &ctx(),
                "w@example.id",
                Locale::En,
                "badung",
                "BDG-1",
                "officer",
                "reply",
                None,
                "verified",
                Some("x")
            )
            .is_some()
        );
    }

    #[test]
    fn a_new_supporter_is_asked_to_confirm_in_their_language_without_the_code() {
        let mail = for_new_supporter(
            &ctx(),
            "k@example.id",
            Locale::Ban,
            "badung",
            Some("Lubang di Kuta"),
            "0123abcd",
        );
        assert_eq!(mail.to, "k@example.id");
        assert_eq!(
            mail.subject,
            Word::MailSupporterConfirmSubject.text(Locale::Ban)
        );
        assert!(
            mail.body
                .starts_with(Word::MailSupporterConfirmOpening.text(Locale::Ban))
        );
        assert!(
            mail.body.contains("\n\nLubang di Kuta\n\n"),
            "{}",
            mail.body
        );
        assert!(
            mail.body.contains(&format!(
                "{}/r/badung/join?token=0123abcd&lang=ban\n",
                ctx().public_url
            )),
            "{}",
            mail.body
        );
        assert!(
            mail.body
                .contains(Word::MailSupporterConfirmIgnore.text(Locale::Ban))
        );
        // Without a title the policy lets through, the link alone.
        let bare = for_new_supporter(&ctx(), "k@example.id", Locale::Id, "badung", None, "t");
        assert!(!bare.body.contains("Lubang"));
        assert!(bare.body.contains("/r/badung/join?token=t&lang=id"));
    }

    #[test]
    fn a_supporter_hears_of_changes_and_replies_only_and_never_the_code() {
        let news = SupporterNews {
            region: "badung",
            title: Some("Jalan berlubang"),
            author: "officer",
            kind: "plan",
            from: Some("verified"),
            to_status: "in_progress",
            message: Some("Tim menambal minggu depan."),
        };
        let mail = for_supporter(&ctx(), "k@example.id", Locale::En, "0123abcd", &news)
            .unwrap_or_else(|| unreachable!());
        assert_eq!(mail.to, "k@example.id");
        assert_eq!(
            mail.subject,
            Word::MailSupporterSubject.fill(
                Locale::En,
                &[("status", labels::status(Status::InProgress, Locale::En))]
            )
        );
        assert!(mail.body.contains("Jalan berlubang") && mail.body.contains("Tim menambal"));
        assert!(
            mail.body
                .contains("https://aduan.baliprov.go.id/r/badung/leave?token=0123abcd&lang=en")
        );
        assert!(!mail.body.contains("/track"), "{}", mail.body);
        // A public reply without a change of state.
        let reply = SupporterNews {
            kind: "reply",
            from: Some("in_progress"),
            ..news
        };
        let mail = for_supporter(&ctx(), "k@example.id", Locale::Id, "t", &reply);
        assert_eq!(
            mail.map(|m| m.subject),
            Some(Word::MailSupporterReplySubject.text(Locale::Id).to_owned())
        );
        // Without a title (the policy withheld it), nothing stands for it.
        let untitled = SupporterNews {
            title: None,
            ..news
        };
        let mail = for_supporter(&ctx(), "k@example.id", Locale::Id, "t", &untitled);
        assert!(mail.is_some_and(|m| !m.body.contains("Jalan")));
        // What a supporter need not hear: the filing, the reporter's own
        // words, an internal note, an event with nothing public in it.
        for quiet in [
            SupporterNews {
                kind: "submitted",
                from: None,
                to_status: "submitted",
                message: None,
                ..news
            },
            SupporterNews {
                author: "reporter",
                kind: "reply",
                from: Some("in_progress"),
                ..news
            },
            SupporterNews {
                kind: "note",
                from: Some("in_progress"),
                message: None,
                ..news
            },
            SupporterNews {
                kind: "reply",
                from: Some("in_progress"),
                message: None,
                ..news
            },
        ] {
            assert!(
                for_supporter(&ctx(), "k@example.id", Locale::Id, "t", &quiet).is_none(),
                "{quiet:?}"
            );
        }
    }
}
