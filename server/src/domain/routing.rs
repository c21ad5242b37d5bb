//! Where a complaint goes at intake ("no wrong door").
//!
//! 1. The district decides the region; without one, the site's region.
//! 2. Supervisory categories become confidential. One handed off (an
//!    administrator's rule per category, e.g. illegal levies to the
//!    province's Saber Pungli unit) goes to that unit, remembering the region
//!    where it happened; otherwise to the region's coordinator unit (the
//!    Inspectorate).
//! 3. Otherwise the region's rule for the category names the unit; without a
//!    rule (or with a rule naming a unit the region lacks), the coordinator.

use aduan_app::api::Privacy;
use aduan_app::validate::ValidComplaint;

use super::catalog::Catalog;

/// The routing decision stored with a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    pub region: String,
    pub unit: String,
    pub privacy: Privacy,
    /// True when a rule (not the fallback) chose the unit.
    pub by_rule: bool,
    /// Set when the complaint was handed to another region's unit: the
    /// region where it happened.
    pub handed_off_from: Option<String>,
}

/// Why a valid complaint could not be routed: the reference data is incomplete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error("region `{0}` is not in the catalog")]
    UnknownRegion(String),
    #[error("region `{0}` has no coordinator unit")]
    NoCoordinator(String),
    #[error("category `{0}` is not in the catalog")]
    UnknownCategory(String),
}

/// Routes a complaint that passed validation.
pub fn route(complaint: &ValidComplaint, catalog: &Catalog) -> Result<Routed, RoutingError> {
    let region = complaint
        .district
        .as_deref()
        .and_then(|d| catalog.district(d))
        .map_or(complaint.region.as_str(), |d| d.region.as_str());
    if catalog.region(region).is_none() {
        return Err(RoutingError::UnknownRegion(region.to_owned()));
    }
    let category = catalog
        .category(&complaint.category)
        .ok_or_else(|| RoutingError::UnknownCategory(complaint.category.clone()))?;
    let coordinator = catalog
        .coordinator(region)
        .ok_or_else(|| RoutingError::NoCoordinator(region.to_owned()))?;

    if category.supervisory {
        if let Some((to_region, to_unit)) = catalog
            .handoff(&category.key)
            .filter(|(r, u)| catalog.unit(r, u).is_some())
        {
            return Ok(Routed {
                region: to_region.to_owned(),
                unit: to_unit.to_owned(),
                privacy: complaint.privacy.made_confidential(),
                by_rule: true,
                handed_off_from: (to_region != region).then(|| region.to_owned()),
            });
        }
        return Ok(Routed {
            region: region.to_owned(),
            unit: coordinator.key.clone(),
            // Confidential, and never less anonymous than the reporter chose.
            privacy: complaint.privacy.made_confidential(),
            by_rule: false,
            handed_off_from: None,
        });
    }
    let ruled = catalog
        .rule(region, &category.key)
        .and_then(|unit| catalog.unit(region, unit));
    Ok(Routed {
        region: region.to_owned(),
        unit: ruled.map_or(&coordinator.key, |u| &u.key).clone(),
        privacy: complaint.privacy,
        by_rule: ruled.is_some(),
        handed_off_from: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::tests::bali;
    use aduan_app::api::{Classification, Locale};
    use aduan_app::validate::Reporter;

    fn complaint(region: &str, category: &str, district: Option<&str>) -> ValidComplaint {
        ValidComplaint {
            region: region.into(),
            classification: Classification::Complaint,
            title: "Jalan berlubang".into(),
            description: "Lubang besar di depan pasar sejak dua minggu.".into(),
            category: category.into(),
            district: district.map(str::to_owned),
            location: None,
            landmark: None,
            position: None,
            incident_date: None,
            privacy: Privacy::Public,
            reporter: Reporter::default(),
            locale: Locale::Id,
        }
    }

    #[test]
    fn complaint_about_denpasar_filed_on_badung_site_goes_to_denpasar() {
        let r = route(
            &complaint("badung", "jalan", Some("denpasar-selatan")),
            &bali(),
        );
        assert_eq!(
            r.map(|r| (r.region, r.unit)),
            Ok(("denpasar".into(), "pupr".into()))
        );
    }

    #[test]
    fn without_a_district_the_site_region_decides() {
        let r = route(&complaint("gianyar", "sampah", None), &bali());
        assert_eq!(
            r.map(|r| (r.region, r.unit)),
            Ok(("gianyar".into(), "dlh".into()))
        );
    }

    #[test]
    fn the_region_rule_for_the_category_picks_the_unit() {
        let mut catalog = bali();
        catalog
            .rules
            .insert(("badung".into(), "jalan".into()), "dishub".into());
        let r = route(&complaint("badung", "jalan", Some("kuta")), &catalog);
        assert_eq!(r.map(|r| (r.unit, r.by_rule)), Ok(("dishub".into(), true)));
    }

    #[test]
    fn no_rule_falls_back_to_the_inspectorate() {
        let mut catalog = bali();
        catalog.rules.remove(&("badung".into(), "jalan".into()));
        let r = route(&complaint("badung", "jalan", None), &catalog);
        assert_eq!(
            r.map(|r| (r.unit, r.by_rule)),
            Ok(("inspektorat".into(), false))
        );
    }

    #[test]
    fn a_rule_naming_a_missing_unit_falls_back_to_the_inspectorate() {
        let mut catalog = bali();
        catalog
            .rules
            .insert(("badung".into(), "jalan".into()), "dinas-hilang".into());
        let r = route(&complaint("badung", "jalan", None), &catalog);
        assert_eq!(r.map(|r| r.unit), Ok("inspektorat".into()));
    }

    #[test]
    fn illegal_levies_are_handed_to_the_provinces_saber_pungli_unit() {
        let r = route(&complaint("buleleng", "pungli", Some("seririt")), &bali());
        assert_eq!(
            r.map(|r| (r.region, r.unit, r.privacy, r.handed_off_from, r.by_rule)),
            Ok((
                "bali".into(),
                "saber-pungli".into(),
                Privacy::Confidential,
                Some("buleleng".into()),
                true
            ))
        );
        // Filed in the province itself: its own unit, nothing handed off.
        let r = route(&complaint("bali", "pungli", None), &bali());
        assert_eq!(
            r.map(|r| (r.region, r.unit, r.handed_off_from)),
            Ok(("bali".into(), "saber-pungli".into(), None))
        );
    }

    #[test]
    fn without_a_hand_off_rule_illegal_levies_stay_with_the_inspectorate() {
        let mut catalog = bali();
        catalog.handoffs.clear();
        let r = route(&complaint("buleleng", "pungli", Some("seririt")), &catalog);
        assert_eq!(
            r.map(|r| (r.region, r.unit, r.handed_off_from)),
            Ok(("buleleng".into(), "inspektorat".into(), None))
        );
        // A rule naming a unit that does not exist hands nothing off.
        catalog
            .handoffs
            .insert("pungli".into(), ("bali".into(), "gone".into()));
        let r = route(&complaint("buleleng", "pungli", Some("seririt")), &catalog);
        assert_eq!(r.map(|r| r.unit), Ok("inspektorat".into()));
    }

    #[test]
    fn supervisory_complaints_go_to_the_inspectorate_and_become_confidential() {
        let mut catalog = bali();
        catalog.handoffs.clear();
        for category in ["pungli", "maladministrasi"] {
            let r = route(&complaint("buleleng", category, Some("seririt")), &catalog);
            assert_eq!(
                r.map(|r| (r.region, r.unit, r.privacy)),
                Ok((
                    "buleleng".into(),
                    "inspektorat".into(),
                    Privacy::Confidential
                ))
            );
        }
    }

    #[test]
    fn an_anonymous_report_of_an_illegal_levy_stays_anonymous() {
        for chosen in Privacy::ALL {
            let mut c = complaint("buleleng", "pungli", Some("seririt"));
            c.privacy = chosen;
            let routed = route(&c, &bali()).map(|r| r.privacy);
            assert_eq!(
                routed.map(|p| (p.anonymous(), p.confidential())),
                Ok((chosen.anonymous(), true)),
                "{chosen:?}"
            );
        }
    }

    #[test]
    fn an_anonymous_choice_is_kept_for_ordinary_categories() {
        let mut c = complaint("badung", "jalan", None);
        c.privacy = Privacy::Anonymous;
        assert_eq!(
            route(&c, &bali()).map(|r| r.privacy),
            Ok(Privacy::Anonymous)
        );
    }
}
