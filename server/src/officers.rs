//! Creating officers: from the command line (`aduan officer add`) and, in
//! demo mode, one of each role for every Bali region.

use crate::auth::hash_password;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::Role;
use crate::state::now_ms;
use crate::store::{NewOfficer, Store};

/// The shortest password accepted.
pub const PASSWORD_MIN: usize = 12;
/// The password every demo officer signs in with.
pub const DEMO_PASSWORD: &str = "demo-aduan-2026";
/// The unit whose demo officer each region gets (roads and public works).
pub const DEMO_UNIT: &str = "pupr";

/// An officer to create, as typed.
#[derive(Debug, Clone)]
pub struct OfficerRequest {
    pub email: String,
    pub name: Option<String>,
    pub role: String,
    pub region: String,
    pub unit: Option<String>,
}

/// Checks the request against the reference data; the officer to store, or
/// one sentence saying what is wrong.
pub fn check(
    catalog: &Catalog,
    request: &OfficerRequest,
    password: &str,
) -> Result<(String, Role, String, Option<String>, String), String> {
    let email = request.email.trim().to_lowercase();
    let valid_email = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !valid_email {
        return Err(format!("`{}` is not an e-mail address", request.email));
    }
    let role = Role::from_key(request.role.trim()).ok_or_else(|| {
        format!(
            "`{}` is not a role; use admin, province, coordinator, unit, supervisor or webmaster",
            request.role
        )
    })?;
    let region = catalog.region(request.region.trim()).ok_or_else(|| {
        let known: Vec<_> = catalog.regions.iter().map(|r| r.slug.as_str()).collect();
        format!(
            "`{}` is not a region; use one of {}",
            request.region,
            known.join(", ")
        )
    })?;
    if role == Role::Province && region.kind != "province" {
        return Err(format!(
            "a province coordinator belongs to the province region, not `{}`",
            region.slug
        ));
    }
    let unit = request
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    if role == Role::Unit && unit.is_none() {
        return Err("a unit officer needs --unit".into());
    }
    if role == Role::Webmaster && unit.is_some() {
        return Err(
            "a webmaster looks after a region's websites, not a unit: leave out --unit".into(),
        );
    }
    if let Some(unit) = unit
        && catalog.unit(&region.slug, unit).is_none()
    {
        return Err(format!("`{unit}` is not a unit of `{}`", region.slug));
    }
    if password.chars().count() < PASSWORD_MIN {
        return Err(format!(
            "the password is shorter than {PASSWORD_MIN} characters"
        ));
    }
    let name = request
        .name
        .clone()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    Ok((
        email,
        role,
        region.slug.clone(),
        unit.map(str::to_owned),
        name,
    ))
}

/// Creates an officer; the new id, or why not.
pub async fn add(
    store: &dyn Store,
    catalog: &Catalog,
    request: &OfficerRequest,
    password: &str,
) -> Result<i64, String> {
    let (email, role, region, unit, name) = check(catalog, request, password)?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| e.to_string())??;
    store
        .add_officer(NewOfficer {
            email: email.clone(),
            name,
            password_hash: hash,
            role: role.key().to_owned(),
            region,
            unit,
            at_ms: now_ms(),
        })
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("an officer with the e-mail address {email} exists already"))
}

/// The demo officers: an administrator, a province coordinator, the
/// province's own coordinator and Saber Pungli officer, and in every region
/// a coordinator, a unit officer and a supervisor.
pub fn demo_requests(catalog: &Catalog) -> Vec<OfficerRequest> {
    let province = catalog
        .regions
        .iter()
        .find(|r| r.kind == "province")
        .map_or("bali", |r| r.slug.as_str());
    let mut list = vec![
        OfficerRequest {
            email: "admin@demo.aduan.id".into(),
            name: Some("Administrator (demo)".into()),
            role: "admin".into(),
            region: province.into(),
            unit: None,
        },
        OfficerRequest {
            email: "provinsi@demo.aduan.id".into(),
            name: Some("Koordinator Provinsi (demo)".into()),
            role: "province".into(),
            region: province.into(),
            unit: None,
        },
    ];
    // Who handles what every region hands to the province (illegal levies
    // to Saber Pungli): the province's coordinator verifies, the unit acts.
    list.push(OfficerRequest {
        email: "coordinator.bali@demo.aduan.id".into(),
        name: Some("Koordinator Inspektorat Provinsi (demo)".into()),
        role: "coordinator".into(),
        region: province.into(),
        unit: None,
    });
    for (region, unit) in catalog.handoffs.values() {
        if region == province && catalog.unit(region, unit).is_some() {
            list.push(OfficerRequest {
                email: format!("{unit}@demo.aduan.id"),
                name: Some("Petugas Saber Pungli Provinsi (demo)".into()),
                role: "unit".into(),
                region: region.clone(),
                unit: Some(unit.clone()),
            });
        }
    }
    list.dedup_by(|a, b| a.email == b.email);
    for r in catalog.regions.iter().filter(|r| r.kind != "province") {
        for (role, unit, title) in [
            ("coordinator", None, "Koordinator"),
            ("unit", Some(DEMO_UNIT), "Petugas PUPR"),
            ("supervisor", None, "Pengawas"),
            ("webmaster", None, "Pengelola Situs"),
        ] {
            list.push(OfficerRequest {
                email: format!("{role}.{}@demo.aduan.id", r.slug),
                name: Some(format!("{title} {} (demo)", r.name)),
                role: role.into(),
                region: r.slug.clone(),
                unit: unit.map(str::to_owned),
            });
        }
    }
    list
}

/// Creates the demo officers that do not exist yet.
pub async fn seed_demo(store: &dyn Store, catalog: &Catalog) -> Result<usize, String> {
    let mut created = 0;
    for request in demo_requests(catalog) {
        let exists = store
            .officer_by_email(&request.email)
            .await
            .map_err(|e| e.to_string())?
            .is_some();
        if !exists {
            add(store, catalog, &request, DEMO_PASSWORD).await?;
            created += 1;
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(role: &str, region: &str, unit: Option<&str>) -> OfficerRequest {
        OfficerRequest {
            email: "Petugas@Badung.go.id ".into(),
            name: None,
            role: role.into(),
            region: region.into(),
            unit: unit.map(str::to_owned),
        }
    }

    #[test]
    fn a_good_request_is_normalised() {
        let catalog = crate::domain::catalog::tests::bali();
        let checked = check(
            &catalog,
            &request("unit", "badung", Some("pupr")),
            "long enough password",
        );
        let (email, role, region, unit, name) = checked.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(email, "petugas@badung.go.id");
        assert_eq!(role, Role::Unit);
        assert_eq!(region, "badung");
        assert_eq!(unit.as_deref(), Some("pupr"));
        assert_eq!(name, "petugas");
        let webmaster = check(
            &catalog,
            &request("webmaster", "badung", None),
            "long enough password",
        );
        let (_, role, region, unit, _) = webmaster.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (role, region.as_str(), unit),
            (Role::Webmaster, "badung", None)
        );
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let catalog = crate::domain::catalog::tests::bali();
        let pw = "long enough password";
        let cases = [
            (request("root", "badung", None), "not a role"),
            (request("unit", "badung", None), "needs --unit"),
            (request("unit", "badung", Some("nasa")), "not a unit"),
            (request("coordinator", "atlantis", None), "not a region"),
            (request("province", "badung", None), "province region"),
            (request("webmaster", "badung", Some("pupr")), "not a unit"),
        ];
        for (req, expected) in cases {
            let err = check(&catalog, &req, pw).err().unwrap_or_default();
            assert!(err.contains(expected), "{err}");
        }
        let mut bad_mail = request("coordinator", "badung", None);
        bad_mail.email = "nobody".into();
        assert!(check(&catalog, &bad_mail, pw).is_err());
        let short = check(&catalog, &request("coordinator", "badung", None), "short");
        assert!(short.err().unwrap_or_default().contains("shorter"));
    }

    #[test]
    fn every_demo_officer_is_valid() {
        let catalog = crate::domain::catalog::tests::bali();
        let list = demo_requests(&catalog);
        assert_eq!(list.len(), 4 + 4 * 9);
        assert!(
            list.iter()
                .any(|r| r.unit.as_deref() == Some("saber-pungli") && r.region == "bali")
        );
        for r in &list {
            assert!(check(&catalog, r, DEMO_PASSWORD).is_ok(), "{r:?}");
        }
    }
}
