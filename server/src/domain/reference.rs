//! The reference data file: regions, districts, units, categories, settings
//! and holidays, as the project ships them for Bali.

use std::collections::HashSet;

use aduan_app::date::Date;
use aduan_app::tracking::is_valid_prefix;
use serde::Deserialize;

/// The Bali data, built into the binary.
pub const BALI: &str = include_str!("../../data/bali.toml");

/// A whole reference data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceData {
    #[serde(rename = "region")]
    pub regions: Vec<RegionSeed>,
    #[serde(rename = "unit")]
    pub units: Vec<UnitSeed>,
    #[serde(rename = "category")]
    pub categories: Vec<CategorySeed>,
    pub settings: SettingsSeed,
    #[serde(rename = "holiday", default)]
    pub holidays: Vec<HolidaySeed>,
    #[serde(rename = "handoff", default)]
    pub handoffs: Vec<HandoffSeed>,
}

/// A supervisory category every region hands to one unit of one region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffSeed {
    pub category: String,
    pub region: String,
    pub unit: String,
}

/// A region as the file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSeed {
    pub code: String,
    pub slug: String,
    pub code_prefix: String,
    pub name: String,
    pub kind: String,
    pub parent: Option<String>,
    /// 0 means unknown.
    pub lapor_group_2019: u8,
    pub own_portal: Option<String>,
    #[serde(default)]
    pub districts: Vec<String>,
}

/// A unit (OPD) every region has.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSeed {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub coordinator: bool,
    /// Set for a unit only one region has (the province's own units).
    pub only_region: Option<String>,
}

/// A complaint category and the unit it routes to by default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategorySeed {
    pub key: String,
    pub name_id: String,
    pub name_en: String,
    pub unit: String,
    #[serde(default)]
    pub supervisory: bool,
}

/// First values of the settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSeed {
    pub timezone_offset_minutes: i32,
    pub verify_days: u32,
    pub follow_up_plan_days: u32,
    pub auto_close_days: u32,
    pub tier_simple_days: u32,
    pub tier_moderate_days: u32,
    pub tier_complex_days: u32,
}

impl SettingsSeed {
    /// The settings as key and value text, as the settings table keeps them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "timezone_offset_minutes",
                self.timezone_offset_minutes.to_string(),
            ),
            ("verify_days", self.verify_days.to_string()),
            ("follow_up_plan_days", self.follow_up_plan_days.to_string()),
            ("auto_close_days", self.auto_close_days.to_string()),
            ("tier_simple_days", self.tier_simple_days.to_string()),
            ("tier_moderate_days", self.tier_moderate_days.to_string()),
            ("tier_complex_days", self.tier_complex_days.to_string()),
        ]
    }
}

/// A day off in every region of the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidaySeed {
    pub date: String,
    pub name: String,
}

/// A district's key: its name in lower case with dashes, e.g. `denpasar-selatan`.
pub fn district_key(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

impl ReferenceData {
    /// Parses and checks a reference data file.
    pub fn parse(text: &str) -> Result<ReferenceData, String> {
        let data: ReferenceData =
            toml::from_str(text).map_err(|e| format!("reference data: {e}"))?;
        data.check()?;
        Ok(data)
    }

    /// The Bali data built into the binary.
    pub fn bali() -> Result<ReferenceData, String> {
        ReferenceData::parse(BALI)
    }

    fn check(&self) -> Result<(), String> {
        let mut slugs = HashSet::new();
        let mut prefixes = HashSet::new();
        let mut districts = HashSet::new();
        for r in &self.regions {
            if !slugs.insert(r.slug.as_str()) {
                return Err(format!("region slug `{}` appears twice", r.slug));
            }
            if !is_valid_prefix(&r.code_prefix) || !prefixes.insert(r.code_prefix.as_str()) {
                return Err(format!(
                    "region `{}` has a bad or repeated code_prefix `{}`",
                    r.slug, r.code_prefix
                ));
            }
            if !["province", "regency", "city"].contains(&r.kind.as_str()) {
                return Err(format!(
                    "region `{}` has the unknown kind `{}`",
                    r.slug, r.kind
                ));
            }
            if r.lapor_group_2019 > 3 {
                return Err(format!(
                    "region `{}` has lapor_group_2019 = {}",
                    r.slug, r.lapor_group_2019
                ));
            }
            for d in &r.districts {
                if !districts.insert(district_key(d)) {
                    return Err(format!("district `{d}` appears twice"));
                }
            }
        }
        for r in &self.regions {
            if let Some(parent) = &r.parent
                && !self.regions.iter().any(|p| &p.code == parent)
            {
                return Err(format!(
                    "region `{}` names the unknown parent `{parent}`",
                    r.slug
                ));
            }
        }
        if self.units.iter().filter(|u| u.coordinator).count() != 1 {
            return Err("exactly one unit must be the coordinator".into());
        }
        for u in &self.units {
            if let Some(only) = &u.only_region
                && !slugs.contains(only.as_str())
            {
                return Err(format!(
                    "unit `{}` names the unknown region `{only}`",
                    u.key
                ));
            }
        }
        for h in &self.handoffs {
            let supervisory = self
                .categories
                .iter()
                .any(|c| c.key == h.category && c.supervisory);
            let unit = self.units.iter().any(|u| {
                u.key == h.unit && u.only_region.as_ref().is_none_or(|only| *only == h.region)
            });
            if !supervisory || !slugs.contains(h.region.as_str()) || !unit {
                return Err(format!(
                    "the hand-off of `{}` needs a supervisory category and a unit of region `{}`",
                    h.category, h.region
                ));
            }
        }
        for c in &self.categories {
            if !self
                .units
                .iter()
                .any(|u| u.key == c.unit && u.only_region.is_none())
            {
                return Err(format!(
                    "category `{}` routes to the unknown unit `{}`",
                    c.key, c.unit
                ));
            }
        }
        for h in &self.holidays {
            if Date::parse(&h.date).is_none() {
                return Err(format!(
                    "holiday `{}` has the bad date `{}`",
                    h.name, h.date
                ));
            }
        }
        Ok(())
    }

    /// The slug of a region's parent, from its Kemendagri code.
    pub fn parent_slug(&self, region: &RegionSeed) -> Option<String> {
        let parent = region.parent.as_ref()?;
        self.regions
            .iter()
            .find(|p| &p.code == parent)
            .map(|p| p.slug.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bali_file_loads_with_ten_regions_and_bangli_unknown() {
        let data = ReferenceData::bali();
        let data = data.as_ref().map_err(String::as_str);
        assert_eq!(data.map(|d| d.regions.len()), Ok(10));
        let bangli = data
            .ok()
            .and_then(|d| d.regions.iter().find(|r| r.slug == "bangli"));
        assert_eq!(bangli.map(|r| r.lapor_group_2019), Some(0));
        assert_eq!(data.map(|d| d.settings.verify_days), Ok(3));
    }

    #[test]
    fn district_keys_are_lower_case_with_dashes() {
        assert_eq!(district_key(" Denpasar  Selatan "), "denpasar-selatan");
    }

    #[test]
    fn a_bad_prefix_is_refused_with_its_region_named() {
        let text = BALI.replacen("code_prefix = \"BDG\"", "code_prefix = \"BLI\"", 1);
        let err = ReferenceData::parse(&text).err().unwrap_or_default();
        assert!(err.contains("badung") && err.contains("BLI"), "{err}");
    }
}
