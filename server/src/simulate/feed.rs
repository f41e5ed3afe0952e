//! Plays a [`Plan`] against a running Pantau over its public API, as the city's parts
//! would: reports and agency moves through the tenant's ingest key (NDJSON batches),
//! verification, validation and closing through a signed-in operator's ticket routes,
//! after photos as multipart uploads. Steps already due (the history between `since` and
//! now) go out at once, in rounds that keep each ticket's steps in order; later steps go
//! out when their time comes. Event ids come from the plan, so a retried request writes
//! nothing twice; a step the server refuses ends that ticket's simulated life (a person
//! may have changed it by hand on the console).

pub use super::client::{sign_in, Operator};
use super::lifecycle::{Action, Who};
use super::plan::{Step, What};
use crate::shutdown::Shutdown;
use crate::tenant::Tenant;
use chrono::{DateTime, Utc};
use pantau_shared::auth::CSRF_HEADER;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// At most this many due steps are posted per round trip.
const MAX_BATCH: usize = 500;

/// Counts of what the feed did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub reports: u64,
    pub steps: u64,
    pub resolved: u64,
    pub refused: u64,
    pub skipped: u64,
}

/// The feed of one tenant.
pub struct Feeder {
    client: reqwest::Client,
    base: String,
    tenant: Arc<Tenant>,
    key: String,
    operator: Option<Operator>,
    /// Case → (ticket id, category).
    tickets: HashMap<u64, (String, String)>,
    /// Cases whose life ended early (a refused step).
    dead: HashSet<u64>,
    warned_no_operator: bool,
    pub tally: Tally,
    /// Moved on as steps are posted (the replay's progress bar).
    pub progress: Option<indicatif::ProgressBar>,
}

impl Feeder {
    pub fn new(tenant: Arc<Tenant>, base: &str, key: String, operator: Option<Operator>) -> anyhow::Result<Feeder> {
        Ok(Feeder {
            client: reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?,
            base: base.trim_end_matches('/').to_owned(),
            tenant,
            key,
            operator,
            tickets: HashMap::new(),
            dead: HashSet::new(),
            warned_no_operator: false,
            tally: Tally::default(),
            progress: None,
        })
    }

    /// Play `plan`'s steps until they end, until `end` (wall clock), `max_reports` reports at
    /// most, or shutdown.
    pub async fn play(
        &mut self,
        plan: impl Iterator<Item = Step>,
        end: Option<DateTime<Utc>>,
        max_reports: Option<u64>,
        mut shutdown: Shutdown,
    ) -> anyhow::Result<()> {
        let mut plan = plan.peekable();
        let mut reports = 0u64;
        loop {
            let now = Utc::now();
            let stop = end.is_some_and(|e| now >= e) || max_reports.is_some_and(|m| reports >= m);
            if stop || shutdown.is_triggered() {
                return Ok(());
            }
            let mut due = Vec::new();
            if plan.peek().is_none() {
                return Ok(());
            }
            while due.len() < MAX_BATCH * 4 {
                let Some(next) = plan.peek() else { break };
                if next.at > now {
                    break;
                }
                let step = plan.next().expect("peeked");
                if matches!(step.what, What::Report(_)) {
                    if max_reports.is_some_and(|m| reports >= m) {
                        continue;
                    }
                    reports += 1;
                }
                due.push(step);
            }
            if due.is_empty() {
                let next_at = plan.peek().map(|s| s.at).unwrap_or(now);
                let wait = (next_at.min(end.unwrap_or(next_at)) - now)
                    .to_std()
                    .unwrap_or_default()
                    .min(Duration::from_secs(1));
                tokio::select! {
                    _ = shutdown.wait() => return Ok(()),
                    _ = tokio::time::sleep(wait) => {}
                }
                continue;
            }
            self.post_due(due, &mut shutdown).await;
        }
    }

    /// Post steps that are due, in rounds: one step per ticket per round, so a ticket's
    /// later step waits for its earlier one (and for its ticket id).
    async fn post_due(&mut self, due: Vec<Step>, shutdown: &mut Shutdown) {
        let mut queue: VecDeque<Step> = due.into();
        while !queue.is_empty() && !shutdown.is_triggered() {
            let mut taken = HashSet::new();
            let mut by_key = Vec::new();
            let mut by_person = Vec::new();
            let mut later = VecDeque::new();
            while let Some(step) = queue.pop_front() {
                if self.dead.contains(&step.case) {
                    self.tally.skipped += 1;
                    continue;
                }
                if !taken.insert(step.case) || by_key.len() >= MAX_BATCH {
                    later.push_back(step);
                    continue;
                }
                match &step.what {
                    What::Report(_) | What::Beds(_) => by_key.push(step),
                    What::Follow(action) if !self.tickets.contains_key(&step.case) => {
                        // Its report was refused or never sent: the life is over.
                        let _ = action;
                        self.dead.insert(step.case);
                        self.tally.skipped += 1;
                    }
                    What::Follow(action) => match (action.who(), action) {
                        (_, Action::Resolve { photo: true }) => by_person.push(step),
                        (Who::Agency, _) => by_key.push(step),
                        _ => by_person.push(step),
                    },
                }
            }
            if !by_key.is_empty() {
                self.post_batch(by_key, shutdown).await;
            }
            for step in by_person {
                self.post_one(step, shutdown).await;
            }
            if let Some(bar) = &self.progress {
                let t = self.tally;
                bar.set_position(t.steps + t.refused + t.skipped);
            }
            queue = later;
        }
    }

    /// The JSON of a step that goes through the ingest API.
    fn event_json(&self, step: &Step) -> Value {
        let at = super::city::stamp(step.at);
        let ticket = self.tickets.get(&step.case).map(|(t, _)| t.clone());
        match &step.what {
            What::Report(body) | What::Beds(body) => body.clone(),
            What::Follow(action) => {
                let mut event = match action {
                    Action::Start => json!({"type": "ticket.status_changed", "status": "in_progress"}),
                    Action::Resolve { .. } => json!({
                        "type": "ticket.status_changed", "status": "resolved",
                        "note": "Sudah ditangani petugas di lapangan",
                    }),
                    Action::Assign { officer } => json!({
                        "type": "ticket.assigned", "agency": self.agency(step.case), "officer": officer,
                    }),
                    _ => json!({}),
                };
                event["id"] = step.id.clone().into();
                event["at"] = at.into();
                event["ticket"] = ticket.into();
                event
            }
        }
    }

    fn agency(&self, case: u64) -> String {
        self.tickets
            .get(&case)
            .and_then(|(_, category)| self.tenant.category(category))
            .map(|c| c.agency.clone())
            .unwrap_or_default()
    }

    /// One NDJSON batch through the ingest key; refused lines end their tickets' lives.
    async fn post_batch(&mut self, steps: Vec<Step>, shutdown: &mut Shutdown) {
        let body: String = steps.iter().map(|s| format!("{}\n", self.event_json(s))).collect();
        let url = format!("{}/api/v1/{}/events", self.base, self.tenant.id);
        let Some((status, reply)) = super::client::send(shutdown, || {
            self.client
                .post(&url)
                .bearer_auth(&self.key)
                .header(reqwest::header::CONTENT_TYPE, "application/x-ndjson")
                .body(body.clone())
        })
        .await
        else {
            return;
        };
        if !(status == 202 || status == 207) {
            // The whole batch was refused (a bad line): post the lines one by one instead.
            tracing::warn!(status, %reply, "simulated batch refused; posting its lines singly");
            for step in steps {
                let single = self.event_json(&step).to_string();
                let result = super::client::send(shutdown, || {
                    self.client.post(&url).bearer_auth(&self.key).json(&single.clone())
                })
                .await;
                match result {
                    Some((202, reply)) => self.note_accepted(&[step], &reply),
                    _ => self.refuse(&step),
                }
            }
            return;
        }
        let refused: HashSet<usize> = reply["rejected"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|x| x["index"].as_u64())
                    .map(|i| i as usize)
                    .collect()
            })
            .unwrap_or_default();
        let mut accepted = Vec::new();
        for (i, step) in steps.into_iter().enumerate() {
            if refused.contains(&i) {
                self.refuse(&step);
            } else {
                accepted.push(step);
            }
        }
        self.note_accepted(&accepted, &reply);
    }

    /// Record ticket ids of accepted reports and count the steps.
    fn note_accepted(&mut self, steps: &[Step], reply: &Value) {
        let tickets: HashMap<&str, &str> = reply["accepted"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| Some((x["id"].as_str()?, x["ticket"].as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        for step in steps {
            self.tally.steps += 1;
            match &step.what {
                What::Report(report) => {
                    self.tally.reports += 1;
                    if let Some(ticket) = tickets.get(step.id.as_str()) {
                        let category = report["category"].as_str().unwrap_or_default().to_owned();
                        self.tickets.insert(step.case, ((*ticket).to_owned(), category));
                    }
                }
                What::Follow(Action::Resolve { .. }) => self.tally.resolved += 1,
                _ => {}
            }
        }
    }

    fn refuse(&mut self, step: &Step) {
        tracing::debug!(case = step.case, what = ?step.what, "simulated step refused; its ticket's life ends");
        self.tally.refused += 1;
        self.dead.insert(step.case);
    }

    /// One operator step (or a resolution with its photo) through the ticket routes.
    async fn post_one(&mut self, step: Step, shutdown: &mut Shutdown) {
        let What::Follow(action) = &step.what else { return };
        let Some((ticket, _)) = self.tickets.get(&step.case).cloned() else {
            return;
        };
        let base = format!("{}/api/v1/{}/tickets/{ticket}", self.base, self.tenant.id);
        let at = super::city::stamp(step.at);
        if let Action::Resolve { .. } = action {
            if !self.upload_photo(&base, &step, shutdown).await {
                return self.refuse(&step);
            }
            // The resolution goes through the ingest key once this process's projection
            // holds the photo (the check reads it): a few tries a little apart.
            let url = format!("{}/api/v1/{}/events", self.base, self.tenant.id);
            let event = self.event_json(&step);
            for _ in 0..20 {
                match super::client::send(shutdown, || self.client.post(&url).bearer_auth(&self.key).json(&event)).await
                {
                    Some((202, reply)) => return self.note_accepted(&[step], &reply),
                    Some((422, reply)) if reply["error"]["field"] == "photo" => {
                        tokio::time::sleep(Duration::from_millis(100)).await
                    }
                    _ => break,
                }
            }
            return self.refuse(&step);
        }
        let Some(operator) = self.operator.clone() else {
            if !self.warned_no_operator {
                self.warned_no_operator = true;
                tracing::warn!(tenant = %self.tenant.id, "no operator signed in: simulated tickets wait in triage");
            }
            self.dead.insert(step.case);
            self.tally.skipped += 1;
            return;
        };
        let (route, body) = match action {
            Action::Verify { officer } => ("verify", json!({"agency": self.agency(step.case), "officer": officer})),
            Action::Reject { reason } => (
                "status",
                json!({"status": "rejected", "reason": reason, "note": "Ditolak saat verifikasi"}),
            ),
            Action::AskCitizen => (
                "status",
                json!({"status": "pending_citizen", "note": "Mohon lengkapi lokasi dan foto"}),
            ),
            Action::Validate { accepted: true } => ("validate", json!({"accepted": true, "site_check": false})),
            Action::Validate { accepted: false } => (
                "validate",
                json!({"accepted": false, "reason": "Foto tidak menunjukkan pekerjaan selesai"}),
            ),
            Action::Close => ("status", json!({"status": "closed"})),
            _ => return,
        };
        let mut body = body;
        body["id"] = step.id.clone().into();
        body["at"] = at.into();
        let url = format!("{base}/{route}");
        let result = super::client::send(shutdown, || {
            self.client
                .post(&url)
                .header(reqwest::header::COOKIE, &operator.cookie)
                .header(CSRF_HEADER, &operator.csrf)
                .json(&body)
        })
        .await;
        match result {
            Some((202, _)) => self.tally.steps += 1,
            _ => self.refuse(&step),
        }
    }

    /// The after photo of a resolution (a small generated picture; the tenant checks it).
    async fn upload_photo(&self, ticket_url: &str, step: &Step, shutdown: &mut Shutdown) -> bool {
        let boundary = format!("pantau-sim-{}", step.id);
        // The same id on every retry (and for the same step in a later run): one photo event.
        let id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("{}/after-photo", step.id).as_bytes(),
        );
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"stage\"\r\n\r\nafter\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{id}\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"sesudah.png\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&super::client::after_photo());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = format!("{ticket_url}/media");
        let content_type = format!("multipart/form-data; boundary={boundary}");
        matches!(
            super::client::send(shutdown, || self
                .client
                .post(&url)
                .bearer_auth(&self.key)
                .header(reqwest::header::CONTENT_TYPE, &content_type)
                .body(body.clone()))
                .await,
            Some((s, _)) if (200..300).contains(&s)
        )
    }
}
