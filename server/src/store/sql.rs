//! The statements both backends run (`$n` placeholders suit both), and the
//! assembly of reference-data rows into a [`Catalog`].

use std::collections::{BTreeSet, HashMap};

use aduan_app::api::IntegrationMode;
use aduan_app::date::Date;

use super::{PublicComplaint, PublicEvent, StoreError};
use crate::domain::catalog::{Catalog, Category, District, Region, Settings, Unit};
use crate::domain::reference::{ReferenceData, district_key};

pub const INSERT_REGION: &str = "INSERT INTO regions (slug, code, name, kind, parent_slug, lapor_group_2019, integration_mode, own_portal, code_prefix, sort_order) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING";
pub const INSERT_DISTRICT: &str = "INSERT INTO districts (key, region_slug, name, sort_order) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
pub const INSERT_UNIT: &str = "INSERT INTO units (region_slug, key, name, is_coordinator, sort_order) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
pub const INSERT_CATEGORY: &str = "INSERT INTO categories (key, name_id, name_en, supervisory, sort_order) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
pub const INSERT_RULE: &str = "INSERT INTO routing_rules (region_slug, category_key, unit_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
pub const INSERT_HOLIDAY: &str =
    "INSERT INTO holidays (region_slug, day, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
pub const INSERT_SETTING: &str =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING";

pub const SELECT_REGIONS: &str = "SELECT slug, code, name, kind, parent_slug, lapor_group_2019, integration_mode, own_portal, code_prefix FROM regions ORDER BY sort_order, slug";
pub const SELECT_DISTRICTS: &str =
    "SELECT key, name, region_slug FROM districts ORDER BY sort_order, key";
pub const SELECT_UNITS: &str = "SELECT region_slug, key, name, is_coordinator FROM units ORDER BY region_slug, sort_order, key";
pub const SELECT_CATEGORIES: &str =
    "SELECT key, name_id, name_en, supervisory FROM categories ORDER BY sort_order, key";
pub const SELECT_RULES: &str = "SELECT region_slug, category_key, unit_key FROM routing_rules";
pub const SELECT_HOLIDAYS: &str = "SELECT region_slug, day FROM holidays";
pub const SELECT_HANDOFFS: &str =
    "SELECT category_key, region_slug, unit_key FROM handoff_rules WHERE unit_key IS NOT NULL";
pub const INSERT_HANDOFF: &str = "INSERT INTO handoff_rules (category_key, region_slug, unit_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
pub const SELECT_SETTINGS: &str = "SELECT key, value FROM settings";

pub const SELECT_IDEMPOTENCY: &str =
    "SELECT body_hash, receipt FROM idempotency_keys WHERE key = $1";
pub const INSERT_COMPLAINT: &str = "INSERT INTO complaints (tracking_code, public_id, region_slug, unit_key, filed_region_slug, district_key, category_key, classification, anonymous, confidential, title, description, location, incident_date, locale, status, due_step, due_date, created_at, updated_at, channel, handed_off_from, latitude, longitude, landmark) \
     VALUES ($1, $18, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'submitted', $15, $16, $17, $17, $19, $20, $21, $22, $23) RETURNING id";
pub const INSERT_REPORTER: &str =
    "INSERT INTO reporters (complaint_id, name, email, phone) VALUES ($1, $2, $3, $4)";
pub const INSERT_EVENT: &str = "INSERT INTO complaint_events (complaint_id, at, kind, author, from_status, to_status, public_message) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
pub const INSERT_IDEMPOTENCY: &str = "INSERT INTO idempotency_keys (key, body_hash, complaint_id, receipt, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING key";

/// The complaint and its public events in one round trip, one row per event.
/// The events that stay inside ([`crate::disclosure::INTERNAL_EVENTS`]:
/// internal notes, the erasure of the reporter's contact details, a change
/// of holder) and the reporter are not selected at all.
pub const SELECT_PUBLIC: &str = "SELECT c.id, c.tracking_code, c.region_slug, c.unit_key, c.category_key, c.classification, c.anonymous, c.confidential, c.title, c.status, c.due_step, c.due_date, c.created_at, c.updated_at, c.lapor_tracking_id, \
     (SELECT CAST(r.score AS INTEGER) FROM ratings r WHERE r.complaint_id = c.id) AS rating, \
     EXISTS (SELECT 1 FROM attachments a WHERE a.complaint_id = c.id AND a.part <> 'internal_note') AS has_files, \
     e.at AS event_at, e.kind AS event_kind, e.author AS event_author, e.from_status, e.to_status, e.public_message \
     FROM complaints c LEFT JOIN complaint_events e ON e.complaint_id = c.id AND e.kind NOT IN ('note', 'contact_erased', 'assigned') WHERE c.tracking_code = $1 ORDER BY e.id";
pub const SELECT_STATUS_FOR_REPLY: &str = "SELECT id, status, region_slug, unit_key, public_id, anonymous, confidential FROM complaints WHERE tracking_code = $1";

/// The complaint a reporter answers, as [`SELECT_STATUS_FOR_REPLY`] reads it.
#[derive(Debug, sqlx::FromRow)]
pub struct ReplyTarget {
    pub id: i64,
    pub status: String,
    pub region_slug: String,
    pub unit_key: String,
    pub public_id: String,
    pub anonymous: bool,
    pub confidential: bool,
}

impl ReplyTarget {
    pub fn privacy(&self) -> aduan_app::api::Privacy {
        aduan_app::api::Privacy::of(self.anonymous, self.confidential)
    }
}
pub const SELECT_REPLY_KEY: &str = "SELECT complaint_id, body_hash FROM reply_keys WHERE key = $1";
pub const INSERT_REPLY_KEY: &str =
    "INSERT INTO reply_keys (key, complaint_id, body_hash, created_at) VALUES ($1, $2, $3, $4)";
pub const RESUME_AFTER_REPLY: &str = "UPDATE complaints SET status = $5, due_step = $2, due_date = $3, updated_at = $4, version = version + 1 WHERE id = $1";
pub const TOUCH_AFTER_REPLY: &str = "UPDATE complaints SET updated_at = $2 WHERE id = $1";

/// A region row: slug, code, name, kind, parent, group, mode, portal, prefix.
pub type RegionRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i32>,
    String,
    Option<String>,
    String,
);

/// The rows of every reference table, as read.
#[derive(Debug, Default)]
pub struct CatalogRows {
    pub regions: Vec<RegionRow>,
    pub districts: Vec<(String, String, String)>,
    pub units: Vec<(String, String, String, bool)>,
    pub categories: Vec<(String, String, String, bool)>,
    pub rules: Vec<(String, String, String)>,
    pub holidays: Vec<(String, String)>,
    pub settings: Vec<(String, String)>,
    pub handoffs: Vec<(String, String, String)>,
}

impl CatalogRows {
    /// Builds the catalog, naming the first row that breaks its rules.
    pub fn assemble(self) -> Result<Catalog, StoreError> {
        let mut regions = Vec::with_capacity(self.regions.len());
        for (slug, code, name, kind, parent, group, mode, own_portal, code_prefix) in self.regions {
            let integration_mode = IntegrationMode::from_key(&mode).ok_or_else(|| {
                StoreError::Corrupt(format!("region `{slug}` has the mode `{mode}`"))
            })?;
            regions.push(Region {
                lapor_group_2019: group.and_then(|g| u8::try_from(g).ok()),
                slug,
                code,
                name,
                kind,
                parent,
                integration_mode,
                own_portal,
                code_prefix,
            });
        }
        let mut holidays: HashMap<String, BTreeSet<Date>> = HashMap::new();
        for (region, day) in self.holidays {
            let date = Date::parse(&day).ok_or_else(|| {
                StoreError::Corrupt(format!("holiday `{day}` of `{region}` is no date"))
            })?;
            holidays.entry(region).or_default().insert(date);
        }
        Ok(Catalog {
            regions,
            districts: self
                .districts
                .into_iter()
                .map(|(key, name, region)| District { key, name, region })
                .collect(),
            units: self
                .units
                .into_iter()
                .map(|(region, key, name, is_coordinator)| Unit {
                    region,
                    key,
                    name,
                    is_coordinator,
                })
                .collect(),
            categories: self
                .categories
                .into_iter()
                .map(|(key, name_id, name_en, supervisory)| Category {
                    key,
                    name_id,
                    name_en,
                    supervisory,
                })
                .collect(),
            rules: self
                .rules
                .into_iter()
                .map(|(region, category, unit)| ((region, category), unit))
                .collect(),
            holidays,
            settings: Settings::from_pairs(&self.settings).map_err(StoreError::Corrupt)?,
            handoffs: self
                .handoffs
                .into_iter()
                .map(|(category, region, unit)| (category, (region, unit)))
                .collect(),
        })
    }
}

/// A region to seed: slug, code, name, kind, parent, group, mode, portal, prefix, order.
pub type SeedRegionRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i32>,
    String,
    Option<String>,
    String,
    i32,
);

/// The rows a reference data file seeds, in insertion order.
#[derive(Debug, Default)]
pub struct SeedRows {
    pub regions: Vec<SeedRegionRow>,
    pub districts: Vec<(String, String, String, i32)>,
    pub units: Vec<(String, String, String, bool, i32)>,
    pub categories: Vec<(String, String, String, bool, i32)>,
    pub rules: Vec<(String, String, String)>,
    pub holidays: Vec<(String, String, String)>,
    pub settings: Vec<(String, String)>,
    /// Category, region, unit.
    pub handoffs: Vec<(String, String, String)>,
}

impl SeedRows {
    pub fn from(data: &ReferenceData) -> SeedRows {
        let mut rows = SeedRows::default();
        let mut district_order = 0;
        for (i, r) in data.regions.iter().enumerate() {
            rows.regions.push((
                r.slug.clone(),
                r.code.clone(),
                r.name.clone(),
                r.kind.clone(),
                data.parent_slug(r),
                (r.lapor_group_2019 != 0).then_some(i32::from(r.lapor_group_2019)),
                super::default_mode(r.lapor_group_2019).to_owned(),
                r.own_portal.clone(),
                r.code_prefix.clone(),
                i as i32,
            ));
            for d in &r.districts {
                rows.districts
                    .push((district_key(d), r.slug.clone(), d.clone(), district_order));
                district_order += 1;
            }
            for (j, u) in data.units.iter().enumerate() {
                if u.only_region.as_ref().is_some_and(|only| *only != r.slug) {
                    continue;
                }
                rows.units.push((
                    r.slug.clone(),
                    u.key.clone(),
                    u.name.clone(),
                    u.coordinator,
                    j as i32,
                ));
            }
            for c in &data.categories {
                rows.rules
                    .push((r.slug.clone(), c.key.clone(), c.unit.clone()));
            }
            for h in &data.holidays {
                rows.holidays
                    .push((r.slug.clone(), h.date.clone(), h.name.clone()));
            }
        }
        for (i, c) in data.categories.iter().enumerate() {
            rows.categories.push((
                c.key.clone(),
                c.name_id.clone(),
                c.name_en.clone(),
                c.supervisory,
                i as i32,
            ));
        }
        rows.handoffs = data
            .handoffs
            .iter()
            .map(|h| (h.category.clone(), h.region.clone(), h.unit.clone()))
            .collect();
        rows.settings = data
            .settings
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        rows
    }
}

/// One row of [`SELECT_PUBLIC`].
#[derive(Debug, sqlx::FromRow)]
pub struct PublicRow {
    id: i64,
    tracking_code: String,
    region_slug: String,
    unit_key: String,
    category_key: String,
    classification: String,
    anonymous: bool,
    confidential: bool,
    title: String,
    status: String,
    due_step: Option<String>,
    due_date: Option<String>,
    created_at: i64,
    updated_at: i64,
    lapor_tracking_id: Option<String>,
    rating: Option<i32>,
    has_files: bool,
    event_at: Option<i64>,
    event_kind: Option<String>,
    event_author: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    public_message: Option<String>,
}

/// Splits the joined rows into the complaint and its events.
pub fn public_parts(rows: Vec<PublicRow>) -> Option<(PublicComplaint, Vec<PublicEvent>)> {
    let mut events = Vec::with_capacity(rows.len());
    let mut complaint = None;
    for row in rows {
        if let (Some(at), Some(kind), Some(author)) =
            (row.event_at, row.event_kind, row.event_author)
        {
            events.push(PublicEvent {
                at,
                kind,
                author,
                from_status: row.from_status,
                to_status: row.to_status,
                public_message: row.public_message,
            });
        }
        if complaint.is_none() {
            complaint = Some(PublicComplaint {
                id: row.id,
                has_files: row.has_files,
                tracking_code: row.tracking_code,
                region: row.region_slug,
                unit: row.unit_key,
                category: row.category_key,
                classification: row.classification,
                privacy: aduan_app::api::Privacy::of(row.anonymous, row.confidential),
                title: row.title,
                status: row.status,
                due_step: row.due_step,
                due_date: row.due_date,
                created_at: row.created_at,
                updated_at: row.updated_at,
                lapor_tracking_id: row.lapor_tracking_id,
                rating: row.rating.and_then(|r| u8::try_from(r).ok()),
            });
        }
    }
    complaint.map(|c| (c, events))
}

/// On PostgreSQL the row is locked, so a reply and an officer's action on the
/// same complaint take turns.
pub const SELECT_STATUS_FOR_REPLY_LOCKED: &str = "SELECT id, status, region_slug, unit_key, public_id, anonymous, confidential FROM complaints WHERE tracking_code = $1 FOR UPDATE";
