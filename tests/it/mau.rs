//! Monthly-active-user accounting on a real PostgreSQL shared by two nodes:
//! each counts its own subjects exactly, and the merged sketches estimate
//! the fleet's distinct subjects without either node seeing the other's.

use palisade::audit::keys::pseudonym;
use palisade::audit::store::Store;
use palisade::license::MauMode;
use palisade::mau::{Accountant, Admission, fleet_estimate, month_of};

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

#[test]
fn two_nodes_on_one_postgres_merge_to_within_two_percent() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let store = Store::open(POSTGRES).await.unwrap();
            // A month of this test's own, far in the future, so reruns and
            // other tests do not meet it.
            let year = 5000 + i32::try_from(std::process::id() % 4000).unwrap();
            let now = time::Date::from_calendar_date(year, time::Month::March, 15)
                .unwrap()
                .midnight()
                .assume_utc();
            let month = month_of(now);
            let Store::Postgres(pool) = &store else {
                panic!("not PostgreSQL")
            };
            for table in ["mau_subjects", "mau_sketches"] {
                let _ = sqlx::query(&format!("DELETE FROM {table} WHERE month = $1"))
                    .bind(&month)
                    .execute(pool)
                    .await;
            }
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
