//! The SP4N-LAPOR bridge, for regions in `lapor` mode.
//!
//! A verified complaint is forwarded once (through the outbox) as XML
//! posted to LAPOR's stream endpoint with the integration token; LAPOR
//! answers with its tracking id and a transaction id, which are stored and
//! shown to officers and in the tracker. LAPOR's status updates come back
//! to `POST /api/v1/lapor/status` and join the complaint's timeline.
//!
//! LAPOR's current integration API is documented only to registered
//! developer accounts, so the bridge sits behind [`Lapor`]: [`HttpLapor`]
//! speaks the documented public interface; another implementation can take
//! its place without touching the rest.
//!
//! Forwarded XML (`<referensi>` is stable, so LAPOR can drop a repeat):
//!
//! ```xml
//! <laporan><token>…</token><referensi>lapor_42</referensi><kode_aduan>BDG-…</kode_aduan>
//!   <judul>…</judul><isi>…</isi><kategori>jalan</kategori><daerah>badung</daerah>
//!   <lokasi>…</lokasi><tanggal_kejadian>…</tanggal_kejadian><anonim>0</anonim><rahasia>0</rahasia>
//!   <nama>…</nama><email>…</email><telepon>…</telepon></laporan>
//! ```
//!
//! Answer: `<respon><status>sukses</status><tracking_id>…</tracking_id><transaction_id>…</transaction_id></respon>`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A complaint as it is forwarded. No identity when anonymous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub reference: String,
    /// The complaint's public id (LAPOR answers with its own tracking id;
    /// the reporter's tracking code never leaves).
    pub public_id: String,
    pub region: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub district: Option<String>,
    pub incident_date: Option<String>,
    pub filed_at_ms: i64,
    pub anonymous: bool,
    pub confidential: bool,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The files the policy lets LAPOR see; their links are made when the
    /// report is sent.
    #[serde(default)]
    pub files: Vec<LinkedFile>,
}

/// A file named in a forward, fetched by a short-lived signed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedFile {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// What LAPOR answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub tracking_id: String,
    pub transaction_id: String,
}

/// Forwards complaints to SP4N-LAPOR.
#[async_trait::async_trait]
pub trait Lapor: Send + Sync + std::fmt::Debug {
    /// Forwards one complaint; an error is a sentence fit for the console
    /// (never the token).
    async fn forward(&self, report: &Report) -> Result<Receipt, String>;
}

/// The documented public interface over HTTP.
#[derive(Debug)]
pub struct HttpLapor {
    client: reqwest::Client,
    endpoint: String,
    token: String,
}

impl HttpLapor {
    pub fn new(endpoint: &str, token: &str, timeout: Duration) -> Result<HttpLapor, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Aduan-LAPOR-Bridge/1")
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpLapor {
            client,
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }
}

/// The XML document for one report.
pub fn to_xml(report: &Report, token: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><laporan>");
    let mut tag = |name: &str, value: &str| {
        out.push_str(&format!("<{name}>{}</{name}>", crate::xml::escape(value)))
    };
    tag("token", token);
    tag("referensi", &report.reference);
    tag("kode_aduan", &report.public_id);
    tag("judul", &report.title);
    tag("isi", &report.description);
    tag("kategori", &report.category);
    tag("daerah", &report.region);
    if let Some(v) = &report.location {
        tag("lokasi", v);
    }
    if let Some(v) = &report.district {
        tag("kecamatan", v);
    }
    if let Some(v) = &report.incident_date {
        tag("tanggal_kejadian", v);
    }
    tag(
        "tanggal_lapor",
        &aduan_app::date::rfc3339(report.filed_at_ms),
    );
    tag("anonim", if report.anonymous { "1" } else { "0" });
    tag("rahasia", if report.confidential { "1" } else { "0" });
    if !report.anonymous {
        for (name, value) in [
            ("nama", &report.name),
            ("email", &report.email),
            ("telepon", &report.phone),
        ] {
            if let Some(v) = value {
                tag(name, v);
            }
        }
    }
    let files: Vec<&LinkedFile> = report.files.iter().filter(|f| f.url.is_some()).collect();
    if !files.is_empty() {
        out.push_str("<lampiran>");
        for f in files {
            out.push_str("<berkas>");
            for (name, value) in [
                ("nama", f.name.as_str()),
                ("jenis", f.kind.as_str()),
                ("url", f.url.as_deref().unwrap_or_default()),
            ] {
                out.push_str(&format!("<{name}>{}</{name}>", crate::xml::escape(value)));
            }
            out.push_str("</berkas>");
        }
        out.push_str("</lampiran>");
    }
    out.push_str("</laporan>");
    out
}

/// The text of the first `<name>…</name>` in a small XML document.
pub fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[async_trait::async_trait]
impl Lapor for HttpLapor {
    async fn forward(&self, report: &Report) -> Result<Receipt, String> {
        let response = self
            .client
            .post(format!("{}/stream", self.endpoint))
            .header("content-type", "application/xml")
            .header("x-lapor-token", &self.token)
            .body(to_xml(report, &self.token))
            .send()
            .await
            .map_err(|e| format!("SP4N-LAPOR could not be reached: {}", e.without_url()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| format!("SP4N-LAPOR's answer broke off: {}", e.without_url()))?;
        // LAPOR's own words may quote the complaint: what an administrator
        // and the log read of a failure is the status alone.
        if !status.is_success() {
            return Err(format!("SP4N-LAPOR answered HTTP {}", status.as_u16()));
        }
        match (
            element(&body, "status").as_deref(),
            element(&body, "tracking_id"),
            element(&body, "transaction_id"),
        ) {
            (Some("sukses" | "success"), Some(tracking_id), Some(transaction_id))
                if !tracking_id.trim().is_empty() =>
            {
                Ok(Receipt {
                    tracking_id: tracking_id.trim().to_owned(),
                    transaction_id: transaction_id.trim().to_owned(),
                })
            }
            _ => Err("SP4N-LAPOR's answer has no tracking id".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(anonymous: bool) -> Report {
        Report {
            reference: "lapor_7".into(),
            public_id: "5c1d0e9a7b3f2468".into(),
            region: "badung".into(),
            category: "jalan".into(),
            title: "Jalan <berlubang> & rusak".into(),
            description: "Isi".into(),
            location: None,
            district: None,
            incident_date: None,
            filed_at_ms: 0,
            anonymous,
            confidential: false,
            name: Some("Wayan".into()),
            email: None,
            phone: None,
            files: vec![
                LinkedFile {
                    id: "0123456789abcdef".into(),
                    name: "kuitansi <1>.jpg".into(),
                    kind: "jpeg".into(),
                    url: Some("https://aduan.example/api/v1/files/0123456789abcdef?aud=lapor&expires=9&signature=ab".into()),
                },
                LinkedFile {
                    id: "fedcba9876543210".into(),
                    name: "unsent.pdf".into(),
                    kind: "pdf".into(),
                    url: None,
                },
            ],
        }
    }

    #[test]
    fn files_go_as_links_only_once_they_have_one() {
        let xml = to_xml(&report(false), "secret-token");
        assert!(
            xml.contains("<lampiran><berkas><nama>kuitansi &lt;1&gt;.jpg</nama><jenis>jpeg</jenis><url>https://aduan.example/api/v1/files/0123456789abcdef?aud=lapor&amp;expires=9&amp;signature=ab</url></berkas></lampiran>"),
            "{xml}"
        );
        assert!(!xml.contains("unsent.pdf"));
        let mut none = report(false);
        none.files.clear();
        assert!(!to_xml(&none, "t").contains("lampiran"));
    }

    #[test]
    fn the_xml_escapes_text_and_honours_anonymity() {
        let xml = to_xml(&report(false), "secret-token");
        assert!(
            xml.contains("<judul>Jalan &lt;berlubang&gt; &amp; rusak</judul>"),
            "{xml}"
        );
        assert!(xml.contains("<nama>Wayan</nama>") && xml.contains("<anonim>0</anonim>"));
        let anonymous = to_xml(&report(true), "secret-token");
        assert!(!anonymous.contains("Wayan") && anonymous.contains("<anonim>1</anonim>"));
        assert_eq!(
            element(&xml, "judul").as_deref(),
            Some("Jalan <berlubang> & rusak")
        );
        assert_eq!(element(&xml, "nothing"), None);
    }
}
