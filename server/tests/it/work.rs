//! An officer's own work in the console: who holds a complaint, actions on
//! several complaints at once, saved views, e-mail preferences and the
//! daily digest.

use serde_json::json;

use crate::console::{Officer, file, officer, track, with};
use crate::support::{complaint, on_both_engines};

/// The id an officer has in a complaint page's list of who may hold it.
fn officer_id(page: &str, o: &Officer) -> String {
    let marker = format!(">Officer {}</option>", o.email);
    let before = page
        .split_once(&marker)
        .map(|(b, _)| b)
        .unwrap_or_else(|| panic!("{} is not offered: {page}", o.email));
    before
        .rsplit("value=\"")
        .next()
        .and_then(|v| v.split('"').next())
        .expect("an id")
        .to_owned()
}

fn assignee_path(code: &str) -> String {
    format!("/console/complaints/{code}/assignee")
}

/// The holder the complaint page shows in its forms.
fn holder(page: &str) -> String {
    let marker = "name=\"holder\" value=\"";
    page.split_once(marker)
        .and_then(|(_, r)| r.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

on_both_engines! {
    async fn a_complaint_is_held_by_one_officer_of_its_unit_at_a_time(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let made = officer(&app, "unit", "badung", Some("pupr")).await;
        let wayan = officer(&app, "unit", "badung", Some("pupr")).await;
        let rubbish = officer(&app, "unit", "badung", Some("dlh")).await;
        let overseer = officer(&app, "supervisor", "badung", None).await;
        let code = file(&app, complaint()).await;
        let (status, _, _) = coordinator.act(&code, &[("action", "dispatch"), ("unit", "pupr")]).await;
        assert_eq!(status, 303);

        // Nobody holds it yet: the unit's to pick up.
        let (_, unheld) = made.get("/console/inbox?assignee=none").await;
        assert!(unheld.contains(&code), "{unheld}");
        let (_, page) = made.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Belum dipegang siapa pun"), "{page}");
        let wayan_id = officer_id(&page, &wayan);
        assert!(!page.contains(&format!("Officer {}</option>", rubbish.email)), "another unit's officer is not offered");

        // A unit officer takes it; the list names them, and it is theirs.
        let (status, location, _) = made.post(&assignee_path(&code), &[("assignee", "me"), ("holder", "")]).await;
        assert_eq!((status, location.as_str()), (303, format!("/console/complaints/{code}?done=assigned").as_str()));
        let (_, mine) = made.get("/console/inbox?assignee=me").await;
        assert!(mine.contains(&code), "{mine}");
        assert!(!wayan.get("/console/inbox?assignee=me").await.1.contains(&code));
        assert!(!made.get("/console/inbox?assignee=none").await.1.contains(&code));
        let (_, listed) = wayan.get("/console/inbox").await;
        assert!(listed.contains(&format!("Officer {}", made.email)), "{listed}");

        // A colleague working from a page drawn before is told, not obeyed.
        let (status, _, stale) = wayan.post(&assignee_path(&code), &[("assignee", "me"), ("holder", "")]).await;
        assert_eq!(status, 409);
        assert!(stale.contains("sudah diubah petugas lain"), "{stale}");
        let (_, page) = wayan.get(&format!("/console/complaints/{code}")).await;
        let made_id = holder(&page);
        assert!(!made_id.is_empty());
        // Only an officer of its unit may hold it.
        let rubbish_id = {
            let (_, p) = rubbish.get("/console/inbox").await;
            assert!(!p.contains(&code), "another unit never sees it");
            app.db.count(Box::leak(format!("SELECT id FROM officers WHERE email = '{}'", rubbish.email).into_boxed_str())).await.to_string()
        };
        let (status, _, refused) = wayan.post(&assignee_path(&code), &[("assignee", rubbish_id.as_str()), ("holder", made_id.as_str())]).await;
        assert_eq!(status, 422);
        assert!(refused.contains("Pilih petugas aktif dari unit pengaduan ini"), "{refused}");
        // Given to the colleague, by the coordinator.
        let (status, _, _) = coordinator.post(&assignee_path(&code), &[("assignee", wayan_id.as_str()), ("holder", made_id.as_str())]).await;
        assert_eq!(status, 303);
        assert!(wayan.get("/console/inbox?assignee=me").await.1.contains(&code));
        // Giving it to whoever holds it changes nothing and says so.
        let (status, _, same) = wayan.post(&assignee_path(&code), &[("assignee", "me"), ("holder", wayan_id.as_str())]).await;
        assert_eq!(status, 422);
        assert!(same.contains("sudah dipegang petugas itu"), "{same}");
        // An officer who only oversees holds nothing and gives nothing.
        let (status, _, _) = overseer.post(&assignee_path(&code), &[("assignee", "me"), ("holder", wayan_id.as_str())]).await;
        assert_eq!(status, 403);

        // Each change is in the history, inside the console only.
        let (_, page) = coordinator.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains(&format!("kepada Officer {}", made.email)), "{page}");
        assert!(page.contains(&format!("kepada Officer {}", wayan.email)), "{page}");
        let public = track(&app, &code).await.to_string();
        assert!(!public.contains("assigned") && !public.contains(&made.email), "{public}");

        // Deactivated: what they held goes back to the unit, with an event.
        let admin = officer(&app, "admin", "bali", None).await;
        let (status, _, _) = admin.post("/console/officers", &[("do", "disable"), ("id", wayan_id.as_str())]).await;
        assert_eq!(status, 303);
        let (_, page) = made.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Belum dipegang siapa pun"), "{page}");
        assert!(page.contains("pemegangnya dinonaktifkan"), "{page}");
        assert!(made.get("/console/inbox?assignee=none").await.1.contains(&code));
        // A deactivated officer is not offered, and cannot be given it.
        assert!(!page.contains(&format!("Officer {}</option>", wayan.email)), "{page}");
        let (status, _, _) = coordinator.post(&assignee_path(&code), &[("assignee", wayan_id.as_str()), ("holder", "")]).await;
        assert_eq!(status, 422);

        // Sent to another unit, it leaves its holder behind.
        made.post(&assignee_path(&code), &[("assignee", "me"), ("holder", "")]).await;
        assert!(made.get("/console/inbox?assignee=me").await.1.contains(&code));
        let (status, _, _) = coordinator.act(&code, &[("action", "dispatch"), ("unit", "dlh")]).await;
        assert_eq!(status, 303);
        let (_, page) = rubbish.get(&format!("/console/complaints/{code}")).await;
        assert!(page.contains("Belum dipegang siapa pun"), "{page}");
        assert!(!made.get("/console/inbox?assignee=me").await.1.contains(&code));
    }

    async fn several_complaints_are_changed_at_once_and_each_refusal_is_named(app) {
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let roads = officer(&app, "unit", "badung", Some("pupr")).await;
        let elsewhere = file(&app, with(json!({"region": "buleleng", "district": null}))).await;
        let first = file(&app, complaint()).await;
        let second = file(&app, complaint()).await;
        let ended = file(&app, complaint()).await;
        let (status, _, _) = coordinator.act(&ended, &[("action", "reject"), ("message", "Bukan kewenangan kami.")]).await;
        assert_eq!(status, 303);
        // The inbox offers each complaint to pick, and the actions.
        let (_, inbox) = coordinator.get("/console/inbox").await;
        assert!(inbox.contains(&format!("name=\"pick\" value=\"{first}\" form=\"bulk\"")), "{inbox}");
        assert!(inbox.contains("action=\"/console/inbox/bulk\""), "{inbox}");

        let mixed = [
            ("back", "status=submitted"), ("action", "dispatch"), ("unit", "pupr"), ("note", "Dicek bersama"),
            ("pick", first.as_str()), ("pick", second.as_str()), ("pick", ended.as_str()),
            ("pick", elsewhere.as_str()), ("pick", "BDG-NOT-A-CODE"),
        ];
        let (status, _, page) = coordinator.post("/console/inbox/bulk", &mixed).await;
        assert_eq!(status, 200, "{page}");
        let done = page.split("class=\"refused\"").next().unwrap_or_default();
        let refused = page.split("class=\"refused\"").nth(1).unwrap_or_default();
        assert!(done.contains(&first) && done.contains(&second), "{page}");
        assert!(refused.contains(&format!("{ended}</code>: Tindakan ini tidak dapat dilakukan")), "{page}");
        assert!(refused.contains(&format!("{elsewhere}</code>: Tidak ditemukan")), "{page}");
        assert!(refused.contains("BDG-NOT-A-CODE</code>: Tidak ditemukan"), "{page}");
        assert!(page.contains("href=\"/console/inbox?status=submitted\""), "{page}");
        // Each is its own event, with the note.
        for code in [&first, &second] {
            let (_, page) = roads.get(&format!("/console/complaints/{code}")).await;
            assert!(page.contains("Dicek bersama"), "{page}");
            assert_eq!(track(&app, code).await["status"], "verified");
        }
        assert_eq!(track(&app, &ended).await["status"], "rejected");

        // A note without words is refused for each, and nothing is written.
        let (status, _, page) = roads.post("/console/inbox/bulk", &[("action", "note"), ("note", " "), ("pick", first.as_str()), ("pick", second.as_str())]).await;
        assert_eq!(status, 200);
        assert_eq!(page.matches("Tulis catatan internal").count(), 2, "{page}");
        // A unit officer may not dispatch, whatever the form says.
        let (_, _, page) = roads.post("/console/inbox/bulk", &[("action", "dispatch"), ("unit", "dlh"), ("pick", first.as_str())]).await;
        assert!(page.contains("Peran Anda tidak boleh melakukan ini"), "{page}");
        // Taken at once; another unit's complaint is not found by this one.
        let waiting = file(&app, with(json!({"category": "sampah"}))).await;
        let (_, _, page) = roads.post("/console/inbox/bulk", &[("action", "assign"), ("assignee", "me"), ("pick", first.as_str()), ("pick", second.as_str()), ("pick", waiting.as_str())]).await;
        let refused = page.split("class=\"refused\"").nth(1).unwrap_or_default();
        assert!(refused.contains(&format!("{waiting}</code>: Tidak ditemukan")) && !refused.contains(&first), "{page}");
        let (_, mine) = roads.get("/console/inbox?assignee=me").await;
        assert!(mine.contains(&first) && mine.contains(&second), "{mine}");
        // Nothing picked, too many, or no action: a clear answer.
        let (status, _, page) = roads.post("/console/inbox/bulk", &[("action", "note"), ("note", "x")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Pilih dulu pengaduan"), "{page}");
        let many: Vec<(&str, String)> = (0..101).map(|i| ("pick", format!("BDG-{i}"))).collect();
        let mut fields: Vec<(&str, &str)> = vec![("action", "note"), ("note", "x")];
        fields.extend(many.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(roads.post("/console/inbox/bulk", &fields).await.0, 422);
        let (status, _, _) = roads.post("/console/inbox/bulk", &[("action", "resolve"), ("pick", first.as_str())]).await;
        assert_eq!(status, 422);
        // Without the session's token, nothing.
        let (status, _, _) = roads.post_raw("/console/inbox/bulk", &[("action", "note"), ("note", "x"), ("pick", first.as_str())], &[]).await;
        assert_eq!(status, 403);
    }
}
