//! Scope confinement over real nodes: with five townships and two
//! department bridges, no store outside a case's scope holds a byte of its
//! applicant's name, ID number or case number, no node's metrics show
//! them, and D05's bridge holds none of D03's cases.

use liandong_domain::Lang;
use liandong_node::control::CaseAction;
use tests::http::get;
use tests::joint::{
    applicant, bridge, files_contain, holds, put_joint_registry, ready, route_by_rule, LIMIT,
};
use tests::Steps;
use tests::{eventually, Net};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_store_outside_a_cases_scope_holds_its_applicants_data() {
    let net = Net::new();
    let county = net.county(0).await;
    let port = county.port();
    put_joint_registry(county.core());
    county
        .core()
        .put_routing(
            &tests::hall(county.core()),
            Lang::Zh,
            "M001",
            vec!["D05".into()],
            vec![],
        )
        .expect("M001 routed to D05");
    let mut towns = Vec::new();
    for i in 1..=5 {
        towns.push(net.township(&format!("T0{i}"), port, None).await);
    }
    let d3 = bridge(&net, port, "D03").await;
    let d5 = bridge(&net, port, "D05").await;
    for t in &towns {
        ready(t.core()).await;
    }
    // Case A at T01: D03 and T02. Case B at T03: D05. Case C at T04: nobody.
    let a = towns[0]
        .core()
        .accept_new(
            &tests::clerk_at(towns[0].core()),
            Lang::Zh,
            "M017",
            &applicant("欧阳甲", "410000190001010013"),
            &[],
            false,
            false,
        )
        .unwrap()
        .id;
    towns[0].core().step(Lang::Zh, &a, route_by_rule()).unwrap();
    let b = towns[2]
        .core()
        .accept_new(
            &tests::clerk_at(towns[2].core()),
            Lang::Zh,
            "M001",
            &applicant("司马乙", "410000190001010021"),
            &[],
            false,
            false,
        )
        .unwrap()
        .id;
    let to_d5 = CaseAction::Route {
        departments: vec!["D05".into()],
        townships: vec![],
        part: String::new(),
        stage_limit_days: None,
    };
    towns[2].core().step(Lang::Zh, &b, to_d5).unwrap();
    let c = towns[3]
        .core()
        .accept_new(
            &tests::clerk_at(towns[3].core()),
            Lang::Zh,
            "M001",
            &applicant("诸葛丙", "41000019000101003X"),
            &[],
            false,
            false,
        )
        .unwrap()
        .id;
    let arrived = eventually(LIMIT, || {
        holds(d3.core(), &a)
            && holds(towns[1].core(), &a)
            && holds(d5.core(), &b)
            && holds(county.core(), &c)
    })
    .await;
    assert!(arrived, "each case reached its scope");
    // Wait for the whole network to settle before reading the files.
    let settled = eventually(LIMIT, || {
        towns
            .iter()
            .all(|t| tests::in_sync(county.core(), t.core()))
            && [d3.core(), d5.core()]
                .iter()
                .all(|b| tests::in_sync(county.core(), b))
    })
    .await;
    assert!(settled, "every node converged with the county");
    let scopes: [(&str, &str, &str, Vec<&str>); 3] = [
        (
            &a,
            "欧阳甲",
            "410000190001010013",
            vec!["T01", "T02", "bridge-D03"],
        ),
        (
            &b,
            "司马乙",
            "410000190001010021",
            vec!["T03", "bridge-D05"],
        ),
        (&c, "诸葛丙", "41000019000101003X", vec!["T04"]),
    ];
    let dirs = [
        "T01",
        "T02",
        "T03",
        "T04",
        "T05",
        "bridge-D03",
        "bridge-D05",
    ];
    // Stop every node so everything is on disk, then scan.
    let (d3_cases, d5_cases) = (
        d3.core().store.cases(None).unwrap().len(),
        d5.core().store.cases(None).unwrap().len(),
    );
    assert_eq!(
        (d3_cases, d5_cases),
        (1, 1),
        "each bridge holds only its department's case"
    );
    // Nor do the metrics of any node show a name or an ID number.
    let mut metrics = vec![get(county.inner.admin_addr, "/metrics", None).await.body];
    for t in &towns {
        metrics.push(get(t.inner.admin_addr, "/metrics", None).await.body);
    }
    for b in [&d3, &d5] {
        let token = b.token();
        metrics.push(get(b.api(), "/metrics", Some(&token)).await.body);
    }
    assert!(
        metrics.iter().all(|m| m.contains("liandong_")),
        "every /metrics answered"
    );
    for (_, name, id_number, _) in &scopes {
        for text in &metrics {
            assert!(
                !text.contains(name) && !text.contains(id_number),
                "metrics show {name}"
            );
        }
    }
    for t in towns {
        t.stop().await;
    }
    d3.stop().await;
    d5.stop().await;
    for (case, name, id_number, inside) in &scopes {
        for dir in dirs.iter().filter(|d| !inside.contains(d)) {
            for needle in [name.as_bytes(), id_number.as_bytes(), case.as_bytes()] {
                assert_eq!(
                    files_contain(&net.dir(dir), needle),
                    None,
                    "{dir} holds data of case {case} outside its scope"
                );
            }
        }
        // And the check can see: inside the scope the ID number is on disk.
        assert!(files_contain(&net.dir(inside[0]), id_number.as_bytes()).is_some());
    }
}
