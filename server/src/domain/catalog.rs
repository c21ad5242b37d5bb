//! The reference data as the service uses it: regions, districts, units,
//! categories, routing rules, holidays and settings, read from the store.

use std::collections::{BTreeSet, HashMap};

use aduan_app::api::{
    CategoryOption, Choice, Classification, DistrictOption, IntegrationMode, Locale, Named,
    Privacy, RegionForm, RegionSummary,
};
use aduan_app::date::Date;
use aduan_app::labels;
use aduan_app::validate::{self, LIMITS};

/// A region (the province, a regency or a city).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub slug: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    pub lapor_group_2019: Option<u8>,
    pub integration_mode: IntegrationMode,
    pub own_portal: Option<String>,
    pub code_prefix: String,
}

/// A district (kecamatan) of a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub key: String,
    pub name: String,
    pub region: String,
}

/// A unit (OPD) of a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub region: String,
    pub key: String,
    pub name: String,
    pub is_coordinator: bool,
}

/// A complaint category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub key: String,
    pub name_id: String,
    pub name_en: String,
    pub supervisory: bool,
}

/// The statutory limits (working days) and the local time zone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    pub timezone_offset_minutes: i32,
    pub verify_days: u32,
    pub follow_up_plan_days: u32,
    pub auto_close_days: u32,
    pub tier_simple_days: u32,
    pub tier_moderate_days: u32,
    pub tier_complex_days: u32,
}

impl Settings {
    /// Reads the settings table's key and value text; names the first bad or missing key.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Settings, String> {
        let get = |key: &str| -> Result<i64, String> {
            let value = pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .ok_or_else(|| format!("setting `{key}` is missing"))?;
            value
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("setting `{key}` is `{value}`, not a whole number"))
        };
        let days = |key: &str| -> Result<u32, String> {
            let v = get(key)?;
            u32::try_from(v)
                .ok()
                .filter(|d| *d <= 365)
                .ok_or_else(|| format!("setting `{key}` is {v}, not between 0 and 365 days"))
        };
        Ok(Settings {
            timezone_offset_minutes: i32::try_from(get("timezone_offset_minutes")?)
                .ok()
                .filter(|m| m.abs() <= 14 * 60)
                .ok_or("setting `timezone_offset_minutes` is out of range")?,
            verify_days: days("verify_days")?,
            follow_up_plan_days: days("follow_up_plan_days")?,
            auto_close_days: days("auto_close_days")?,
            tier_simple_days: days("tier_simple_days")?,
            tier_moderate_days: days("tier_moderate_days")?,
            tier_complex_days: days("tier_complex_days")?,
        })
    }
}

/// All reference data, indexed for the request path.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub regions: Vec<Region>,
    pub districts: Vec<District>,
    pub units: Vec<Unit>,
    pub categories: Vec<Category>,
    /// (region, category) → unit key.
    pub rules: HashMap<(String, String), String>,
    pub holidays: HashMap<String, BTreeSet<Date>>,
    pub settings: Settings,
    /// Supervisory category → the region and unit every region hands it to.
    pub handoffs: HashMap<String, (String, String)>,
}

static NO_HOLIDAYS: BTreeSet<Date> = BTreeSet::new();

impl Catalog {
    /// A catalog that names nothing.
    pub fn empty() -> Catalog {
        Catalog {
            regions: Vec::new(),
            districts: Vec::new(),
            units: Vec::new(),
            categories: Vec::new(),
            rules: HashMap::new(),
            holidays: HashMap::new(),
            settings: Settings::default(),
            handoffs: HashMap::new(),
        }
    }

    pub fn region(&self, slug: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.slug == slug)
    }

    pub fn district(&self, key: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.key == key)
    }

    pub fn unit(&self, region: &str, key: &str) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.region == region && u.key == key)
    }

    /// The unit that verifies and receives what no rule routes (the Inspectorate).
    pub fn coordinator(&self, region: &str) -> Option<&Unit> {
        self.units
            .iter()
            .find(|u| u.region == region && u.is_coordinator)
    }

    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    pub fn rule(&self, region: &str, category: &str) -> Option<&str> {
        self.rules
            .get(&(region.to_owned(), category.to_owned()))
            .map(String::as_str)
    }

    /// The region and unit a supervisory category is handed to, if any.
    pub fn handoff(&self, category: &str) -> Option<(&str, &str)> {
        self.handoffs
            .get(category)
            .map(|(r, u)| (r.as_str(), u.as_str()))
    }

    pub fn holidays(&self, region: &str) -> &BTreeSet<Date> {
        self.holidays.get(region).unwrap_or(&NO_HOLIDAYS)
    }

    /// Today's date in the service's local time zone.
    pub fn today(&self, now_ms: i64) -> Date {
        Date::at(now_ms, self.settings.timezone_offset_minutes)
    }

    pub fn summary(region: &Region) -> RegionSummary {
        RegionSummary {
            slug: region.slug.clone(),
            code: region.code.clone(),
            name: region.name.clone(),
            kind: region.kind.clone(),
            parent: region.parent.clone(),
            lapor_group_2019: region.lapor_group_2019,
            integration_mode: region.integration_mode,
            own_portal: region.own_portal.clone(),
            code_prefix: region.code_prefix.clone(),
        }
    }

    pub fn category_option(category: &Category) -> CategoryOption {
        CategoryOption {
            key: category.key.clone(),
            name_id: category.name_id.clone(),
            name_en: category.name_en.clone(),
            supervisory: category.supervisory,
        }
    }

    /// What a form on `slug`'s site needs: its own districts first, then the rest.
    pub fn form(&self, slug: &str) -> Option<RegionForm> {
        let region = self.region(slug)?;
        let region_name = |r: &str| self.region(r).map(|x| x.name.clone()).unwrap_or_default();
        let option = |d: &District| DistrictOption {
            key: d.key.clone(),
            name: d.name.clone(),
            region: d.region.clone(),
            region_name: region_name(&d.region),
        };
        let own = self.districts.iter().filter(|d| d.region == slug);
        let others = self.districts.iter().filter(|d| d.region != slug);
        Some(RegionForm {
            region: Catalog::summary(region),
            categories: self
                .categories
                .iter()
                .map(Catalog::category_option)
                .collect(),
            districts: own.chain(others).map(option).collect(),
            classifications: Classification::ALL
                .iter()
                .map(|c| classification_choice(*c))
                .collect(),
            privacy_modes: Privacy::ALL.iter().map(|p| privacy_choice(*p)).collect(),
            limits: LIMITS,
            regions: self
                .regions
                .iter()
                .map(|r| Named {
                    key: r.slug.clone(),
                    name: r.name.clone(),
                })
                .collect(),
        })
    }
}

fn classification_choice(c: Classification) -> Choice {
    Choice {
        key: c.key().to_owned(),
        label_id: labels::classification(c, Locale::Id).to_owned(),
        label_en: labels::classification(c, Locale::En).to_owned(),
        help_id: None,
        help_en: None,
    }
}

fn privacy_choice(p: Privacy) -> Choice {
    let (label_id, help_id) = labels::privacy(p, Locale::Id);
    let (label_en, help_en) = labels::privacy(p, Locale::En);
    Choice {
        key: p.key().to_owned(),
        label_id: label_id.to_owned(),
        label_en: label_en.to_owned(),
        help_id: Some(help_id.to_owned()),
        help_en: Some(help_en.to_owned()),
    }
}

impl validate::Catalog for Catalog {
    fn has_region(&self, slug: &str) -> bool {
        self.region(slug).is_some()
    }

    fn has_category(&self, key: &str) -> bool {
        self.category(key).is_some()
    }

    fn district_key(&self, key_or_name: &str) -> Option<String> {
        let wanted = super::reference::district_key(key_or_name);
        self.districts
            .iter()
            .find(|d| d.key == key_or_name || d.key == wanted)
            .map(|d| d.key.clone())
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::domain::reference::{ReferenceData, district_key};

    /// The catalog the Bali file produces on a fresh database.
    pub fn bali() -> Catalog {
        let data = ReferenceData::bali().unwrap_or_else(|e| panic!("{e}"));
        let mode = |g: u8| match g {
            1 => IntegrationMode::Lapor,
            3 => IntegrationMode::Webhook,
            _ => IntegrationMode::None,
        };
        let regions: Vec<Region> = data
            .regions
            .iter()
            .map(|r| Region {
                slug: r.slug.clone(),
                code: r.code.clone(),
                name: r.name.clone(),
                kind: r.kind.clone(),
                parent: data.parent_slug(r),
                lapor_group_2019: (r.lapor_group_2019 != 0).then_some(r.lapor_group_2019),
                integration_mode: mode(r.lapor_group_2019),
                own_portal: r.own_portal.clone(),
                code_prefix: r.code_prefix.clone(),
            })
            .collect();
        let districts = data
            .regions
            .iter()
            .flat_map(|r| {
                r.districts.iter().map(|d| District {
                    key: district_key(d),
                    name: d.clone(),
                    region: r.slug.clone(),
                })
            })
            .collect();
        let units = data
            .regions
            .iter()
            .flat_map(|r| {
                data.units
                    .iter()
                    .filter(|u| u.only_region.as_ref().is_none_or(|only| *only == r.slug))
                    .map(|u| Unit {
                        region: r.slug.clone(),
                        key: u.key.clone(),
                        name: u.name.clone(),
                        is_coordinator: u.coordinator,
                    })
            })
            .collect();
        let mut rules = HashMap::new();
        for r in &data.regions {
            for c in &data.categories {
                rules.insert((r.slug.clone(), c.key.clone()), c.unit.clone());
            }
        }
        let settings: Vec<(String, String)> = data
            .settings
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        Catalog {
            regions,
            districts,
            units,
            categories: data
                .categories
                .iter()
                .map(|c| Category {
                    key: c.key.clone(),
                    name_id: c.name_id.clone(),
                    name_en: c.name_en.clone(),
                    supervisory: c.supervisory,
                })
                .collect(),
            rules,
            holidays: HashMap::new(),
            settings: Settings::from_pairs(&settings).unwrap_or_else(|e| panic!("{e}")),
            handoffs: data
                .handoffs
                .iter()
                .map(|h| (h.category.clone(), (h.region.clone(), h.unit.clone())))
                .collect(),
        }
    }

    #[test]
    fn a_badung_form_lists_badung_districts_first_and_denpasar_too() {
        let form = bali().form("badung");
        let districts = form.map(|f| f.districts).unwrap_or_default();
        assert_eq!(
            districts.first().map(|d| d.name.as_str()),
            Some("Kuta Selatan")
        );
        assert!(
            districts
                .iter()
                .any(|d| d.key == "denpasar-selatan" && d.region == "denpasar")
        );
    }

    #[test]
    fn districts_are_found_by_key_or_by_name_in_any_case() {
        use aduan_app::validate::Catalog as _;
        let c = bali();
        assert_eq!(
            c.district_key("Denpasar Selatan").as_deref(),
            Some("denpasar-selatan")
        );
        assert_eq!(
            c.district_key("denpasar-selatan").as_deref(),
            Some("denpasar-selatan")
        );
        assert_eq!(c.district_key("KUTA  utara").as_deref(), Some("kuta-utara"));
        assert_eq!(c.district_key("Atlantis"), None);
    }

    #[test]
    fn settings_name_the_key_that_is_wrong() {
        let pairs = vec![("timezone_offset_minutes".to_owned(), "480".to_owned())];
        let err = Settings::from_pairs(&pairs).err().unwrap_or_default();
        assert!(err.contains("verify_days"), "{err}");
    }
}
