//! Department-bridge fixtures: a real bridge (`bridge/D03`) started
//! in-process against a real county, the registry the county writes for
//! it (matter M103 with a D03 part, staff S31–S33 and their
//! authorisations), and cases built as township T01 writes them, applied
//! to the bridge's store as received from the county (so a case reaches
//! the bridge whatever the county's scope rules do yet).

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::NaiveDate;
use county_node::bridge::Bridge;
use liandong_domain::{
    Applicant, AuthScope, CaseEvent, EventKind, Lang, Level, Matter, OpBody, Operation, Power,
    StaffRole, Stage, SubmittedMaterial,
};
use liandong_model::{CaseId, EncodedOp, EntityId, Hlc, NodeId, OpId};
use liandong_node::config::bridge::BridgeConfig;
use liandong_node::shutdown::Shutdown;
use liandong_node::NodeCore;
use liandong_store::Source;

use crate::{eventually, now_ms, Net, Node};

/// The department the test bridge serves.
pub const DEPT: &str = "D03";
/// A matter led by D01 with a part for D03.
pub const MATTER: &str = "M103";
/// D03's part of M103, as the catalogue names its stage.
pub const PART: &str = "食品安全审查";
/// S31: chief representative of D03, authorised for M103 now.
pub const VALID_AUTH: &str = "A-S31-M103";
/// S32's authorisation covers department D05's matters only.
pub const OTHER_DEPT_AUTH: &str = "A-S32-D05";
/// S33's authorisation expired in 2020.
pub const EXPIRED_AUTH: &str = "A-S33-2020";

impl Net {
    pub fn bridge_config(&self, county_port: u16, webhook: Option<String>) -> BridgeConfig {
        BridgeConfig {
            department: DEPT.into(),
            county: format!("https://localhost:{county_port}"),
            data: Some(self.dir("bridge-D03")),
            pki: self.pki(),
            api: "127.0.0.1:0".parse().expect("addr"),
            webhook,
            ..BridgeConfig::default()
        }
    }

    /// Starts bridge D03 against the county on `county_port`.
    pub async fn bridge(&self, county_port: u16, webhook: Option<String>) -> Node<Bridge> {
        liandong_net::tls::install_crypto_provider();
        liandong_net::tls::init_ca(&self.pki()).expect("dev CA");
        let shutdown = Shutdown::new();
        let bridge =
            county_node::bridge::start(self.bridge_config(county_port, webhook), shutdown.clone())
                .await
                .expect("bridge starts");
        Node {
            inner: bridge,
            shutdown,
        }
    }
}

impl Node<Bridge> {
    pub fn core(&self) -> &NodeCore {
        &self.inner.core
    }

    pub fn api(&self) -> std::net::SocketAddr {
        self.inner.api_addr
    }

    /// The API token, as the department system reads it from the file.
    pub fn token(&self) -> String {
        std::fs::read_to_string(&self.inner.token_path)
            .expect("token file")
            .trim()
            .to_string()
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Writes M103, staff S31–S33 of D03 and their authorisations at the
/// county (all of it replicates to every node, the bridge included).
pub fn put_registry(county: &NodeCore) {
    let mut m = Matter::basic(MATTER, "食品经营许可", Level::Township, 10, 20, "D01");
    m.co_departments = vec![DEPT.into()];
    m.stages = vec![Stage {
        name: PART.into(),
        limit_days: Some(5),
    }];
    let hall = crate::hall(county);
    county.put_matter(&hall, Lang::Zh, m).expect("matter M103");
    let today = liandong_domain::cst_date(now_ms());
    let powers: BTreeSet<Power> = [Power::Decide, Power::Seal].into();
    let grants = [
        (
            "S31",
            AuthScope::Matter(MATTER.into()),
            today - chrono::Days::new(30),
            today + chrono::Days::new(365),
            VALID_AUTH,
        ),
        (
            "S32",
            AuthScope::Department("D05".into()),
            today - chrono::Days::new(30),
            today + chrono::Days::new(365),
            OTHER_DEPT_AUTH,
        ),
        (
            "S33",
            AuthScope::Matter(MATTER.into()),
            date(2020, 1, 1),
            date(2020, 12, 31),
            EXPIRED_AUTH,
        ),
    ];
    for (staff, scope, from, to, id) in grants {
        county
            .add_staff(
                &hall,
                Lang::Zh,
                staff,
                "首席代表",
                DEPT,
                StaffRole::ChiefRepresentative,
                &["bridge/D03".to_string()],
            )
            .expect("staff");
        county
            .set_password(&hall, staff, Some(crate::PASSWORD), false)
            .expect("password");
        // Each also reviews for D03 (gives its opinions).
        county
            .assign_role(&hall, Lang::Zh, staff, StaffRole::Reviewer, false)
            .expect("reviewer role");
        county
            .authorise(
                &hall,
                Lang::Zh,
                staff,
                scope,
                powers.clone(),
                from,
                to,
                Some(id.into()),
            )
            .expect("authorisation");
    }
}

/// Waits until the bridge holds the county's registry (the catalogue and
/// the three authorisations).
pub async fn wait_for_registry(bridge: &NodeCore) {
    let held = eventually(Duration::from_secs(20), || {
        bridge.store.matter(MATTER).ok().flatten().is_some()
            && bridge.store.authorisations().map(|a| a.len()).unwrap_or(0) >= 3
    })
    .await;
    assert!(
        held,
        "the bridge never received the county's catalogue and authorisations"
    );
}

fn t01() -> NodeId {
    NodeId::township("T01").expect("T01")
}

/// A case as township T01 writes it: submitted (with an applicant and a
/// material), accepted, and routed to `department`. `n` numbers it
/// (distinct op ids per case).
pub fn t01_case(county: &NodeCore, n: u64, department: &str) -> (CaseId, Vec<EncodedOp>) {
    let entry = county
        .store
        .matter(MATTER)
        .expect("catalogue")
        .expect("M103 at the county");
    let first = n * 10 + 1;
    let id = CaseId::new(
        &county.county_code,
        &t01(),
        &liandong_node::cst_date(now_ms()),
        first,
    );
    let now = now_ms();
    let events = [
        EventKind::Submitted {
            matter: MATTER.into(),
            matter_version: entry.current_stamp().clone(),
            applicant: Applicant::resident(
                &format!("申请人{n}"),
                &crate::resident_id(n as u32),
                "13800000000",
                "舞阳县人民路1号",
            ),
            materials: vec![SubmittedMaterial {
                name: "营业执照".into(),
                attachment: None,
            }],
        },
        EventKind::Accepted { tolerated: None },
        EventKind::RoutedToDepartment {
            department: department.into(),
            part: PART.into(),
            stage_limit_days: None,
        },
    ];
    let ops = events
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            Operation {
                id: OpId {
                    origin: t01(),
                    seq: first + i as u64,
                },
                hlc: Hlc {
                    wall_ms: now,
                    logical: i as u32,
                },
                entity: EntityId::Case(id.clone()),
                body: OpBody::Case(CaseEvent::new(now, kind)),
            }
            .encode()
        })
        .collect();
    (id, ops)
}

/// Applies `ops` to the bridge's store as a batch received from the
/// county (keeping the bridge's cursor where it is).
pub fn deliver_from_county(bridge: &NodeCore, ops: Vec<EncodedOp>) {
    let county = NodeId::county("HQ").expect("county id");
    let cursor = bridge.store.cursor(&county).expect("cursor");
    bridge
        .store
        .apply(
            Source::Peer {
                node: county,
                cursor,
            },
            ops,
        )
        .expect("batch applied");
}

/// A county with the bridge's registry and a bridge that holds it.
pub async fn county_and_bridge(
    net: &Net,
    webhook: Option<String>,
) -> (Node<county_node::County>, Node<Bridge>) {
    let county = net.county(0).await;
    put_registry(county.core());
    let bridge = net.bridge(county.port(), webhook).await;
    wait_for_registry(bridge.core()).await;
    (county, bridge)
}

/// An opinion body that passes, by S31.
pub fn opinion_pass() -> &'static str {
    r#"{"staff":"S31","result":"pass","text":"同意"}"#
}

/// An approval by `staff` under authorisation `auth`, with his password
/// (it unlocks his seal at the bridge).
pub fn decision_by(staff: &str, auth: &str) -> String {
    let password = crate::PASSWORD;
    format!(
        r#"{{"staff":"{staff}","approve":true,"reason":"","authorisation":"{auth}","password":"{password}"}}"#
    )
}

/// Events of `kind` (`opinion`, `decided`) of D03 in `core`'s store.
pub fn count_events(core: &liandong_node::NodeCore, case: &str, kind: &str) -> usize {
    let stored = core.store.case(case).expect("read").expect("case held");
    stored
        .record
        .iter()
        .filter(|(_, e)| match &e.event.kind {
            EventKind::OpinionGiven { department, .. }
            | EventKind::OpinionRecorded {
                reviewer: liandong_domain::Reviewer::Department(department),
                ..
            }
            | EventKind::Decided { department, .. } => {
                department == DEPT && e.event.kind.name() == kind
            }
            _ => false,
        })
        .count()
}

/// One more event on `case`, as T01 writes it (op `township/T01#seq`).
pub fn event_op(case: &CaseId, seq: u64, kind: EventKind) -> EncodedOp {
    let now = now_ms();
    Operation {
        id: OpId {
            origin: NodeId::township("T01").expect("id"),
            seq,
        },
        hlc: Hlc {
            wall_ms: now,
            logical: seq as u32,
        },
        entity: EntityId::Case(case.clone()),
        body: OpBody::Case(CaseEvent::new(now, kind)),
    }
    .encode()
}

/// `/api/status` of the bridge, as JSON.
pub async fn status_json(bridge: &Node<Bridge>) -> serde_json::Value {
    let r = crate::http::get(bridge.api(), "/api/status", Some(&bridge.token())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}
