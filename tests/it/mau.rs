//! Monthly-active-user accounting on a real PostgreSQL shared by two nodes:
//! each counts its own subjects exactly, and the merged sketches estimate
//! the fleet's distinct subjects without either node seeing the other's.

use palisade::audit::keys::pseudonym;
use palisade::audit::store::Store;
use palisade::license::MauMode;
use palisade::mau::{Accountant, Admission, Report, fleet_estimate, month_of};

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A month of the test's own, far in the future (so reruns and other tests
/// do not meet it), emptied: its time and its `YYYY-MM`.
async fn own_month(
    store: &Store,
    offset: u32,
    month: time::Month,
) -> (time::OffsetDateTime, String) {
    let year = 5000 + i32::try_from((std::process::id() + offset) % 4000).unwrap();
    let now = time::Date::from_calendar_date(year, month, 15)
        .unwrap()
        .midnight()
        .assume_utc();
    let name = month_of(now);
    let Store::Postgres(pool) = store else {
        panic!("not PostgreSQL")
    };
    for table in ["mau_subjects", "mau_sketches"] {
        let _ = sqlx::query(&format!("DELETE FROM {table} WHERE month = $1"))
            .bind(&name)
            .execute(pool)
            .await;
    }
    (now, name)
}

#[test]
fn two_nodes_on_one_postgres_merge_to_within_two_percent() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = Store::open(POSTGRES).await.unwrap();
            let (now, month) = own_month(&store, 0, time::Month::March).await;
            let key = b"fleet-wide pseudonym key";
            let a = Accountant::open(store.clone(), "mau-node-a", None, MauMode::Observe, now)
                .await
                .unwrap();
            let b = Accountant::open(store.clone(), "mau-node-b", None, MauMode::Observe, now)
                .await
                .unwrap();
            // Node a sees subjects 0..3000, node b 2000..5000: 5000 in all.
            for (node, range) in [(&a, 0..3000), (&b, 2000..5000)] {
                for i in range {
                    let p = pseudonym(key, &["https://idp.example", &format!("user-{i}")]);
                    let admitted = node.admit(&p, "tenant-1", now).await.unwrap();
                    assert!(matches!(admitted, Admission::New { .. }), "{admitted:?}");
                }
            }
            assert_eq!(a.count().await, 3000);
            assert_eq!(b.count().await, 3000);
            // Seen again on the same node: known, not counted twice.
            let p = pseudonym(key, &["https://idp.example", "user-10"]);
            assert_eq!(
                a.admit(&p, "tenant-1", now).await.unwrap(),
                Admission::Known
            );
            let (estimate, nodes) = fleet_estimate(&store, &month).await.unwrap();
            assert_eq!(nodes, 2);
            let error = (estimate - 5000.0).abs() / 5000.0;
            assert!(error < 0.02, "fleet estimate {estimate} for 5000 subjects");
            // A node restarted counts on from the store.
            let again = Accountant::open(store.clone(), "mau-node-a", None, MauMode::Observe, now)
                .await
                .unwrap();
            assert_eq!(again.count().await, 3000);
        });
}

/// Months are UTC and counted from the store: a clock set back across a
/// month boundary counts into the month it names, with that month's own
/// subjects and limit; a subject in two tenants counts in each tenant and
/// once in the total.
#[test]
fn months_follow_the_clock_even_backwards_and_tenants_count_apart() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite:{}", dir.path().join("audit.db").display());
            let store = Store::open(&url).await.unwrap();
            let at = |month: time::Month, day: u8, hour: u8| {
                time::Date::from_calendar_date(
                    if month == time::Month::January {
                        2027
                    } else {
                        2026
                    },
                    month,
                    day,
                )
                .unwrap()
                .with_hms(hour, 30, 0)
                .unwrap()
                .assume_utc()
            };
            let dec = at(time::Month::December, 31, 23);
            let jan = at(time::Month::January, 1, 0);
            let p = |n: u32| pseudonym(b"k", &["iss", &format!("user-{n}")]);
            let a = Accountant::open(store.clone(), "node-1", Some(2), MauMode::Enforce, dec)
                .await
                .unwrap();
            assert_eq!(
                a.admit(&p(1), "radiology", dec).await.unwrap(),
                Admission::New {
                    count: 1,
                    crossed: None
                }
            );
            assert_eq!(
                a.admit(&p(1), "cardiology", dec).await.unwrap(),
                Admission::Known
            );
            // January: a new month, counted from zero.
            assert_eq!(
                a.admit(&p(2), "radiology", jan).await.unwrap(),
                Admission::New {
                    count: 1,
                    crossed: None
                }
            );
            // The clock goes back to December: its subject is still there.
            assert_eq!(
                a.admit(&p(3), "radiology", dec).await.unwrap(),
                Admission::New {
                    count: 2,
                    crossed: Some(100)
                }
            );
            assert_eq!(
                a.admit(&p(4), "radiology", dec).await.unwrap(),
                Admission::Refused { count: 2, limit: 2 }
            );
            assert_eq!(
                a.admit(&p(1), "radiology", dec).await.unwrap(),
                Admission::Known
            );
            // ...and forward again: January has room.
            assert_eq!(
                a.admit(&p(4), "radiology", jan).await.unwrap(),
                Admission::New {
                    count: 2,
                    crossed: Some(100)
                }
            );
            let report = Report::build(&store, "node-1", Some("llama4-tiny"), "2026-12", None, jan)
                .await
                .unwrap();
            assert_eq!(report.subjects, 2);
            assert_eq!(report.tenants.get("radiology"), Some(&2));
            assert_eq!(report.tenants.get("cardiology"), Some(&1));
            assert_eq!(report.fleet_nodes, 1);
            assert_eq!(report.fleet_estimate, 2);
        });
}

/// An enforced limit holds across a fleet: a node whose own count is under
/// the limit refuses a subject new to the fleet once the nodes' merged
/// estimate has reached it, and still admits one already active on
/// another node.
#[test]
fn an_enforced_limit_holds_across_the_fleet() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = Store::open(POSTGRES).await.unwrap();
            let (now, _) = own_month(&store, 1, time::Month::July).await;
            let key = b"fleet limit key";
            let user = |i: u32| pseudonym(key, &["https://idp.example", &format!("user-{i}")]);
            let open = |node: &'static str| {
                Accountant::open(store.clone(), node, Some(3), MauMode::Enforce, now)
            };
            let c = open("mau-fleet-c").await.unwrap();
            let d = open("mau-fleet-d").await.unwrap();
            for i in 0..3 {
                assert!(matches!(
                    c.admit(&user(i), "t", now).await.unwrap(),
                    Admission::New { .. }
                ));
            }
            // Node d has no subject of its own, but the fleet has 3.
            assert_eq!(
                d.admit(&user(3), "t", now).await.unwrap(),
                Admission::Refused { count: 3, limit: 3 }
            );
            // A subject already active on node c is served on node d.
            assert!(matches!(
                d.admit(&user(0), "t", now).await.unwrap(),
                Admission::New { count: 1, .. }
            ));
            assert_eq!(c.count().await, 3);
            assert_eq!(d.count().await, 1);
        });
}
