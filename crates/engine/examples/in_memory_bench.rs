//! Runs the benchmark models on the in-memory engine and prints
//! instances per second, in the peers' format.
//!
//! `cargo run --release -p flowdesk-engine --example in_memory_bench -- MODEL.bpmn PROCESS_ID COUNT`

use std::time::Instant;

use flowdesk_engine::{Engine, InstanceStatus};
use serde_json::{json, Map};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<String> = std::env::args().collect();
    let [_, path, process_id, count] = arguments.as_slice() else {
        return Err("usage: in_memory_bench MODEL.bpmn PROCESS_ID COUNT".into());
    };
    let count: usize = count.parse()?;
    let mut engine = Engine::new();
    engine.set_record_history(false);
    engine.set_keep_ended_instances(false);
    engine.deploy_xml(&std::fs::read_to_string(path)?)?;
    let started = Instant::now();
    for index in 0..count {
        let mut variables = Map::new();
        variables.insert(
            "amount".into(),
            json!(if index % 2 == 1 { 150 } else { 50 }),
        );
        let key = engine.start_instance(process_id, variables)?;
        // Ended instances are dropped; one still present did not finish.
        if engine
            .instance(key)
            .is_some_and(|state| state.status != InstanceStatus::Completed)
        {
            return Err(format!("instance {key} did not reach its end").into());
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "flowdesk-engine (in memory) {process_id}: {count} instances in {seconds:.3} s = {:.0} instances/s",
        count as f64 / seconds
    );
    Ok(())
}
